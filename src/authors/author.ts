export interface AuthorLink {
  label: string;
  url: string;
}

/** An author as stored in S3 (`authors/{id}.json`) and returned by the API. */
export interface Author {
  id: string;
  name: string;
  title?: string;
  bio?: string;
  avatarUrl?: string;
  links?: AuthorLink[];
  createdAt: string;
  updatedAt: string;
}
