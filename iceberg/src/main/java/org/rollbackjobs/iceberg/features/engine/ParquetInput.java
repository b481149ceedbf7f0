package org.rollbackjobs.iceberg.features.engine;

import java.io.IOException;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.SeekableInputStream;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.io.DelegatingSeekableInputStream;

/**
 * An Iceberg input file as Parquet's, for reading Parquet files with Parquet's own API through the table's
 * {@code FileIO} (Iceberg's adapter is package-private).
 */
record ParquetInput(InputFile file) implements org.apache.parquet.io.InputFile {

  /**
   * Read options on a plain configuration: the default one is a Hadoop configuration, which parses Hadoop's XML
   * resources again for every file opened.
   */
  static ParquetReadOptions.Builder options() {
    return ParquetReadOptions.builder(new PlainParquetConfiguration());
  }

  @Override
  public long getLength() {
    return file.getLength();
  }

  @Override
  public org.apache.parquet.io.SeekableInputStream newStream() {
    SeekableInputStream in = file.newStream();
    return new DelegatingSeekableInputStream(in) {
      @Override
      public long getPos() throws IOException {
        return in.getPos();
      }

      @Override
      public void seek(long position) throws IOException {
        in.seek(position);
      }
    };
  }

  @Override
  public String toString() {
    return file.location();
  }
}
