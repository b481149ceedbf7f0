package org.rollbackjobs.jobs.index;

import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.source.DocumentCursor;
import org.springframework.batch.item.ExecutionContext;
import org.springframework.batch.item.ItemStreamReader;

/**
 * Streams the source's documents in their fixed order. Its position (documents read) is saved in the step's
 * execution context with every chunk commit, in the same transaction as the chunk's rows; a restarted step opens
 * the source after that many documents, so nothing is loaded twice or missed.
 */
class DocumentItemReader implements ItemStreamReader<Document> {
  private final RebuildIndexFactory factory;
  private final RebuildIndexRequest request;
  private DocumentCursor cursor;
  private long read;

  DocumentItemReader(RebuildIndexFactory factory, RebuildIndexRequest request) {
    this.factory = factory;
    this.request = request;
  }

  @Override
  public void open(ExecutionContext context) {
    read = context.getLong(RebuildContext.DOCUMENTS_READ, 0L);
    cursor = factory.documents(request).open(read);
  }

  @Override
  public Document read() {
    if (cursor.hasNext()) {
      read++;
      return cursor.next();
    }
    return null;
  }

  @Override
  public void update(ExecutionContext context) {
    context.putLong(RebuildContext.DOCUMENTS_READ, read);
  }

  @Override
  public void close() {
    if (cursor != null) {
      cursor.close();
      cursor = null;
    }
  }
}
