package dev.larder;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A snapshot file that cannot be loaded: empty, truncated, damaged (a checksum or the structure
 * does not match), not a Larder snapshot, or written by a newer version. The message names the file
 * and the problem. Nothing of such a file is loaded: see {@link OffHeapCacheBuilder#loadSnapshot}.
 */
public final class SnapshotException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * @param file    the snapshot file
     * @param problem what is wrong with it
     */
    public SnapshotException(final Path file, final String problem)
    {
        super("cannot load the snapshot " + file + ": " + problem);
        this.file = file;
    }

    /** @return the snapshot file */
    public Path file()
    {
        return file;
    }
}
