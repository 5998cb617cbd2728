/** Length of a face embedding; shared by the model wrapper and the pgvector column so they cannot drift. */
export const EMBEDDING_DIM = 512;
