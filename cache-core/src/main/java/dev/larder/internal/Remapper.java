package dev.larder.internal;

import org.agrona.DirectBuffer;

/**
 * The function of a {@code compute}: sees the current value (a view, or null when absent) under the
 * segment lock and decides.
 */
@FunctionalInterface
public interface Remapper
{
    /** Returned to keep the current entry as it is. */
    Object KEEP = new Object();

    /**
     * @param current a read-only view of the current value, or null when absent
     * @return {@link #KEEP}; null to remove; or the new value: a {@code byte[]} or a {@link ValueEncoder}
     */
    Object remap(DirectBuffer current);
}
