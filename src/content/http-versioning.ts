import type { Response } from 'express';
import { ifNoneMatchHits } from './etag';
import { Versioned } from './content-repository';

/** Sets the ETag header and returns the document, or answers 304 when the client's copy is current. */
export function sendVersioned<T>(res: Response, value: Versioned<T>, ifNoneMatch?: string): T | undefined {
  res.setHeader('ETag', value.etag);
  if (ifNoneMatch !== undefined && ifNoneMatchHits(ifNoneMatch, value.etag)) {
    res.status(304);
    return undefined;
  }
  return value.doc;
}

/** 201 with ETag and Location for a created document. */
export function sendCreated<T extends { id: string }>(res: Response, value: Versioned<T>, collection: string): T {
  res.setHeader('ETag', value.etag);
  res.setHeader('Location', `/${collection}/${value.doc.id}`);
  return value.doc;
}
