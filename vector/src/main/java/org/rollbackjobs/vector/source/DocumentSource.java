package org.rollbackjobs.vector.source;

/**
 * Where the documents of an index come from, pinned: an Iceberg table at one snapshot, or a PostgreSQL query.
 * Reading is streamed and its order is fixed, so that a load interrupted after {@code n} documents can resume
 * with {@link #open(long) open(n)} and neither miss nor repeat a document.
 */
public interface DocumentSource {

  /** For plans and lineage, for example {@code iceberg:docs.articles@123456}. */
  String describe();

  /** What the rows record as their source, for example {@code docs.articles}. */
  String name();

  /** The pinned Iceberg snapshot, or null for a source without snapshots. */
  Long snapshotId();

  DocIdType idType();

  /** How many documents the source holds (at its pinned snapshot). */
  long count();

  /** All documents after the first {@code skip}, in the source's fixed order. */
  DocumentCursor open(long skip);

  /** All documents with their ids only (text null): for comparing id sets. */
  DocumentCursor openIds();
}
