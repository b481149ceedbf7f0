package org.rollbackjobs.jobs.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A partition that runs again first deletes what its unfinished earlier attempt wrote. */
class AttemptFilesTest {
  @TempDir Path run;
  @TempDir Path data;

  @Test
  void theDataFilesOfAnEarlierAttemptAreDeletedWhenThePartitionRunsAgain() throws Exception {
    HadoopFileIO io = new HadoopFileIO(new Configuration());
    Path written = data.resolve("attempt-7.parquet");
    Path announced = data.resolve("attempt-7-never-created.parquet");
    Path other = data.resolve("committed-elsewhere.parquet");
    Files.writeString(written, "half a file");
    Files.writeString(other, "another partition's file");

    AttemptFiles killed = AttemptFiles.begin(run, "bucket-00001", 7, io);
    killed.record(written.toString());
    killed.record(announced.toString()); // announced, then killed before it was created
    Files.writeString(killed.directory().resolve("spill.run"), "spill");
    // no close(): the process died

    AttemptFiles again = AttemptFiles.begin(run, "bucket-00001", 9, io);

    assertThat(written).doesNotExist();
    assertThat(other).exists();
    assertThat(run.resolve("attempts").resolve("bucket-00001").resolve("7")).doesNotExist();
    assertThat(again.directory()).exists();
    again.close();
    // another partition's attempts are not touched
    AttemptFiles neighbour = AttemptFiles.begin(run, "bucket-00002", 10, io);
    assertThat(again.directory()).exists();
    neighbour.close();
  }
}
