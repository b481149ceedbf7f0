package org.rollbackjobs.vector.source;

import java.util.Iterator;

/** Documents of a source streamed in the source's fixed order; close it to release files or connections. */
public interface DocumentCursor extends Iterator<Document>, AutoCloseable {
  @Override
  void close();
}
