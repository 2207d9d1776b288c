package dev.larder.internal;

/**
 * Test support for issue 13: how many live records each queue of an adaptive segment's
 * {@link PagedRing} holds, read under the segment's lock.
 */
public final class AdaptiveQueues
{
    /** Index of the window in {@link #entries}. */
    public static final int WINDOW = PagedRing.WINDOW;
    /** Index of probation in {@link #entries}. */
    public static final int PROBATION = PagedRing.PROBATION;
    /** Index of protected in {@link #entries}. */
    public static final int PROTECTED = PagedRing.PROTECTED;

    private AdaptiveQueues()
    {
    }

    /**
     * @param segments a cache's segments
     * @return live records per queue, summed over the segments (window, probation, protected)
     * @throws IllegalArgumentException when a segment runs second chance (no paged queues)
     */
    public static int[] entries(final Segment[] segments)
    {
        final int[] counts = new int[PagedRing.QUEUES];
        for (final Segment segment : segments)
        {
            synchronized (segment)
            {
                if (!(segment.ring instanceof PagedRing))
                {
                    throw new IllegalArgumentException("not an adaptive segment: its ring is not paged");
                }
                final PagedRing ring = (PagedRing)segment.ring;
                for (int queue = 0; queue < PagedRing.QUEUES; queue++)
                {
                    counts[queue] += ring.entries(queue);
                }
            }
        }
        return counts;
    }
}
