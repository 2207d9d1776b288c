package dev.larder.bench.sim;

/** A FIFO of entry ids: the order of records in one ring. */
final class IdRing
{
    private final int[] ids;
    private int head;
    private int size;

    IdRing(final int capacity)
    {
        ids = new int[capacity + 1];
    }

    int size()
    {
        return size;
    }

    int head()
    {
        return ids[head];
    }

    int poll()
    {
        final int id = ids[head];
        head = head + 1 == ids.length ? 0 : head + 1;
        size--;
        return id;
    }

    void add(final int id)
    {
        final int at = head + size;
        ids[at >= ids.length ? at - ids.length : at] = id;
        size++;
    }
}
