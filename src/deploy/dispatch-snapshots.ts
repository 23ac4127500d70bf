import { Injectable, Logger } from '@nestjs/common';
import { ContentSnapshot } from './content-snapshot';
import { DispatchMarker, Marker } from './dispatch-marker';
import { DeployState } from './deploy-state';
import { changeField } from './deploy-record';
import { Deploy } from './deploy.types';

interface Prepared {
  snapshot: ContentSnapshot;
  last: Marker | null;
  /** What this deploy names because S3 showed it (Marker.found), once described. */
  found?: Record<string, string>;
}

/**
 * What S3 held just before a claim, kept per deploy by the worker that claims it. Taken BEFORE the claim:
 * every write it contains was recorded before the claim, so the dispatch carries it. (Taken after, it could
 * contain a write that lands in the next deploy, and a Redis wipe before that one would then hide the write
 * from the reconcile pass.) On success it becomes the last-dispatched marker.
 */
@Injectable()
export class DispatchSnapshots {
  private readonly logger = new Logger('Deploy');
  private readonly prepared = new Map<string, Prepared>();
  private lastPrepareMs = 0;

  constructor(
    private readonly marker: DispatchMarker,
    private readonly state: DeployState,
  ) {}

  /** Lists the bucket and reads the marker; a failure only means the marker will not advance this time. */
  async prepare(deployId: string): Promise<void> {
    const started = Date.now();
    try {
      const last = await this.marker.read();
      const snapshot = await this.marker.current(last?.snapshot ?? null);
      this.prepared.set(deployId, { snapshot, last });
      this.lastPrepareMs = Date.now() - started;
    } catch (error) {
      this.prepared.delete(deployId);
      this.logger.warn(
        `could not list S3 before dispatching; the reconcile marker will not advance: ${(error as Error).message}`,
      );
    }
  }

  /** How long the last successful snapshot took (ms): the worker starts the next one at least that early. */
  get lastDurationMs(): number {
    return this.lastPrepareMs;
  }

  discard(deployId: string): void {
    this.prepared.delete(deployId);
  }

  /**
   * The claimed deploy, settled with what S3 showed before the claim (a deploy resumed elsewhere after a
   * crash has no snapshot and is sent as recorded):
   * - It also names what S3 shows changed since the last dispatch that no recorded edit names (edits whose
   *   queue state a Redis wipe lost, or made in the bucket by another tool). This dispatch deploys them and
   *   moves the marker past them, so it must name them: else no deploy ever would. Only changes to what the
   *   site shows count: a draft created, edited or deleted is not named.
   * - It leaves out a recorded write the last dispatch already named by that rule: a write that reached S3
   *   just before that deploy's snapshot, whose change was recorded just after its claim. Only a write the
   *   last dispatch named as found in S3, with this very ETag, still in the bucket, qualifies. A write that
   *   dispatch deployed without naming it (its own recorded change of the entity was older) is named here.
   */
  async describe(deployId: string): Promise<Deploy> {
    const deploy = (await this.state.get(deployId))!;
    const prepared = this.prepared.get(deployId);
    if (!prepared?.last) return deploy;
    const { snapshot, last } = prepared;
    const listed = new Set(deploy.changes.map(changeField));
    const missing = snapshot
      .changesSince(last.snapshot, new Date().toISOString())
      .filter((c) => !listed.has(changeField(c)));
    // A retry describes the deploy again, and what the first attempt found is by then among its recorded changes:
    // keep it, so the record of the dispatch that finally goes out still says it named those writes.
    prepared.found = { ...prepared.found, ...snapshot.etagsOf(missing) };
    const dispatched = snapshot.stillHolds(last.found, deploy.changes);
    if (missing.length === 0 && Object.keys(dispatched).length === 0) return deploy;
    const { dropped } = await this.state.settleChanges(deployId, missing, dispatched);
    if (missing.length > 0)
      this.logger.warn(
        `deploy ${deployId} also carries ${missing.length} change(s) found in S3 that no queued edit named: ${missing.map((c) => `${c.action} ${c.kind} ${c.id}`).join(', ')}`,
      );
    if (dropped.length > 0)
      this.logger.log(
        `deploy ${deployId} leaves out ${dropped.length} change(s) the last dispatch (${last.deployId}) already named: ${dropped.join(', ')}`,
      );
    return (await this.state.get(deployId))!;
  }

  /** Without a snapshot from before the claim (resumed elsewhere after a crash) the marker stays behind: at worst one extra reconcile deploy. */
  async markDispatched(deployId: string): Promise<void> {
    const prepared = this.prepared.get(deployId);
    this.prepared.delete(deployId);
    if (!prepared) return;
    await this.marker
      .write(deployId, prepared.snapshot, prepared.found)
      .catch((error: Error) => this.logger.warn(`could not write the dispatch marker: ${error.message}`));
  }
}
