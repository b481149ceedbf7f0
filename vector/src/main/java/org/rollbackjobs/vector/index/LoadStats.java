package org.rollbackjobs.vector.index;

import java.time.Duration;

/** Rows loaded by the library's loader and where the time went: computing vectors, or COPY into the table. */
public record LoadStats(long rows, Duration vectors, Duration copy, Duration total) {}
