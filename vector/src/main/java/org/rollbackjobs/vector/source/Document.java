package org.rollbackjobs.vector.source;

/** One document to embed: its id ({@link Long} or {@link String}, see {@link DocIdType}) and its text. */
public record Document(Object id, String text) {}
