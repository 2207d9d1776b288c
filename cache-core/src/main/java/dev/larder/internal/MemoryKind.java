package dev.larder.internal;

/** The concrete memory-access backends; the public choice is {@link dev.larder.MemoryBackend}. */
public enum MemoryKind
{
    AGRONA,
    JDK
}
