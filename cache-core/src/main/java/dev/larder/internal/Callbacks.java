package dev.larder.internal;

import static dev.larder.internal.EntryDescriptor.HEADER_LENGTH;

import dev.larder.RemovalCause;
import dev.larder.RemovalListener;
import dev.larder.ValueReader;
import org.agrona.DirectBuffer;

/**
 * Runs the user code that needs a record's bytes: a {@link ValueReader}, a {@link Remapper} (compute
 * function), a {@link ValueEncoder} (codec) and the {@link RemovalListener}; one per segment.
 *
 * <h2>Views</h2>
 * User code never gets the ring: it gets a view ({@link ByteBufferDirectBuffer}) bound to the
 * calling thread and to the exact byte range of the call, read-only except for an encoder, and
 * emptied when the call returns, so a view kept or passed to another thread cannot reach memory the
 * cache later moves or frees. The segment owns two views, key and value, and binds them in turn.
 *
 * <h2>Callbacks</h2>
 * Every call goes through {@link #run}: bind, {@link CallbackGuard#enter}, call, then in a
 * {@code finally} {@code exit} and unbind, then {@link CallbackGuard#afterCallback}, which ends the
 * operation if the callback closed the cache. The guard is what refuses calls into the cache from
 * the callback. A listener that throws is caught and counted ({@link #listenerFailures()}; the first
 * failure in the JVM is logged), so a removal always goes ahead; any other callback's exception
 * reaches the caller.
 *
 * <h2>Concurrency</h2>
 * Called under the segment lock only: one callback at a time per segment.
 */
final class Callbacks
{
    private static final System.Logger LOGGER = System.getLogger("dev.larder");
    private static volatile boolean listenerFailureLogged;

    /** The kinds of callback, for {@link #run}. */
    private static final int READER = 0;
    private static final int REMAPPER = 1;
    private static final int ENCODER = 2;
    private static final int LISTENER = 3;
    /** Their names in messages, by kind. */
    private static final String[] NAMES =
        {CallbackGuard.READER, CallbackGuard.REMAPPER, CallbackGuard.ENCODER, CallbackGuard.LISTENER};

    private final Ring ring;
    private final CallbackGuard guard;
    private final RemovalListener listener;
    private final ByteBufferDirectBuffer keyView = new ByteBufferDirectBuffer();
    private final ByteBufferDirectBuffer valueView = new ByteBufferDirectBuffer();
    private long listenerFailures;
    /** Chunks of the heads removed by the running operation: pairs of (generation, chunk count and check). */
    private long[] orphans = new long[0];
    private int orphanCount;

    /** @param listener told of every removal, or null */
    Callbacks(final Ring ring, final CallbackGuard guard, final RemovalListener listener)
    {
        this.ring = ring;
        this.guard = guard;
        this.listener = listener;
    }

    /** @return what {@code reader} returned for a read-only view of the value at {@code offset} */
    <R> R read(final ValueReader<R> reader, final int offset, final int length)
    {
        valueView.bindTo(ring.memory().byteBuffer(), offset, length, false);
        @SuppressWarnings("unchecked")
        final R result = (R)run(READER, reader, valueView, null);
        return result;
    }

    /**
     * @param offset where the current value starts, or -1 when there is none
     * @return what {@code remapper} returned for a read-only view of the current value, or for null
     */
    Object remap(final Remapper remapper, final int offset, final int length)
    {
        if (offset < 0)
        {
            return run(REMAPPER, remapper, null, null);
        }
        valueView.bindTo(ring.memory().byteBuffer(), offset, length, false);
        return run(REMAPPER, remapper, valueView, null);
    }

    /**
     * Writes a value at {@code offset}: copies a {@code byte[]} or {@code DirectBuffer} range, or
     * lets a {@link ValueEncoder} write exactly {@code length} bytes through a writable view.
     */
    void writeValue(final int offset, final Object value, final int valueOffset, final int length)
    {
        if (value instanceof ValueEncoder)
        {
            valueView.bindTo(ring.memory().byteBuffer(), offset, length, true);
            run(ENCODER, value, valueView, null);
        }
        else
        {
            ring.write(offset, value, valueOffset, length);
        }
    }

    /** @return true when a listener is registered */
    boolean hasListener()
    {
        return listener != null;
    }

    /**
     * Tells the listener, if any, that the live record at {@code position} is leaving. A chunk is
     * internal: nobody hears of it. A large value's head is heard of with its key and an empty value
     * (its bytes are in other segments, whose locks are not held), and its chunks are noted for
     * removal once the lock is released ({@link #handOrphansTo}).
     */
    void notifyRemoval(final int position, final RemovalCause cause)
    {
        final Memory memory = ring.memory();
        final int word = Entries.recordWord(memory, position);
        if (Entries.isChunk(word))
        {
            return;
        }
        final boolean head = Entries.isHead(word);
        if (listener == null && !head)
        {
            return;
        }
        final int keyLength = Entries.keyLength(memory, position);
        final int recordLength = ring.checkRecord(position, HEADER_LENGTH + keyLength);
        final int valueOffset = Entries.valueOffset(position, keyLength);
        final int valueLength = ring.checkedValueLength(position, recordLength, keyLength);
        if (head)
        {
            noteOrphans(valueOffset, valueLength);
        }
        if (listener == null)
        {
            return;
        }
        keyView.bindTo(memory.byteBuffer(), Entries.keyOffset(position), keyLength, false);
        valueView.bindTo(memory.byteBuffer(), valueOffset, head ? 0 : valueLength, false);
        run(LISTENER, listener, valueView, cause);
    }

    /** Notes the chunks named by the head value at {@code offset}. */
    private void noteOrphans(final int offset, final int length)
    {
        if (length != LargeValueDescriptor.LENGTH)
        {
            throw new IllegalStateException("corrupted segment: a large value's head of " + length + " bytes");
        }
        final Memory memory = ring.memory();
        final int chunkLength = memory.getInt(offset + LargeValueDescriptor.CHUNK_LENGTH_OFFSET);
        final int valueLength = memory.getInt(offset + LargeValueDescriptor.VALUE_LENGTH_OFFSET);
        if (chunkLength <= 0 || valueLength < 0)
        {
            return; // nothing sound to remove; the chunks, if any, leave in ring order
        }
        if (orphanCount + 2 > orphans.length)
        {
            orphans = java.util.Arrays.copyOf(orphans, Math.max(8, orphans.length * 2));
        }
        orphans[orphanCount++] = memory.getLong(offset + LargeValueDescriptor.GENERATION_OFFSET);
        orphans[orphanCount++] = KeyRef.countAndCheck(LargeValueDescriptor.chunkCount(valueLength, chunkLength),
            memory.getInt(offset + LargeValueDescriptor.CHECK_OFFSET));
    }

    /** Hands the chunks noted by the operation ending now to its thread's key, to remove after the lock. */
    void handOrphansTo(final KeyRef key)
    {
        final int count = orphanCount;
        if (count != 0)
        {
            for (int i = 0; i < count; i += 2)
            {
                key.addOrphans(orphans[i], orphans[i + 1]);
            }
            orphanCount = 0;
        }
    }

    /** Forgets the chunks noted (by a clear, which empties every segment anyway). */
    void dropOrphans()
    {
        orphanCount = 0;
    }

    /**
     * Runs {@code reader} on a read-only view of a copy of a large value, under no lock (the copy
     * is the caller's), guarded as {@link #read} is, the view emptied when the call returns. The
     * caller ends its operation with {@link CallbackGuard#endOperation()}.
     */
    @SuppressWarnings("unchecked")
    static <R> R readCopy(final CallbackGuard guard, final ValueReader<R> reader, final java.nio.ByteBuffer copy)
    {
        return (R)onCopy(guard, READER, reader, copy);
    }

    /** Lets an encoder write a large value into {@code copy}, as {@link #readCopy}, through a writable view. */
    static void encodeCopy(final CallbackGuard guard, final ValueEncoder encoder, final java.nio.ByteBuffer copy)
    {
        onCopy(guard, ENCODER, encoder, copy);
    }

    private static Object onCopy(
        final CallbackGuard guard, final int kind, final Object callback, final java.nio.ByteBuffer copy)
    {
        final ByteBufferDirectBuffer view = new ByteBufferDirectBuffer();
        view.bindTo(copy, 0, copy.capacity(), kind == ENCODER);
        final CallbackGuard.Scope scope = guard.enter(NAMES[kind]);
        final Object result;
        try
        {
            result = call(kind, callback, null, view, null);
        }
        finally
        {
            guard.exit(scope);
            view.unbind();
        }
        guard.afterCallback(scope);
        return result;
    }

    /** @return listener calls that threw */
    long listenerFailures()
    {
        return listenerFailures;
    }

    /**
     * The one way user code is called: guarded, with the views emptied whatever happens.
     *
     * @param kind     {@link #READER}, {@link #REMAPPER}, {@link #ENCODER} or {@link #LISTENER}
     * @param callback the user's object, of the kind's type
     * @param value    the value view, or null for a compute of an absent key
     * @param cause    a listener's removal cause
     * @return what the callback returned (null for an encoder or a listener)
     */
    private Object run(final int kind, final Object callback, final DirectBuffer value, final RemovalCause cause)
    {
        final CallbackGuard.Scope scope = guard.enter(NAMES[kind]);
        Object result = null;
        try
        {
            result = call(kind, callback, keyView, value, cause);
        }
        catch (final Throwable ex)
        {
            if (kind != LISTENER || ex instanceof VirtualMachineError)
            {
                throw ex;
            }
            countListenerFailure(ex);
        }
        finally
        {
            guard.exit(scope);
            keyView.unbind();
            valueView.unbind();
        }
        guard.afterCallback(scope);
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Object call(
        final int kind, final Object callback, final DirectBuffer key, final DirectBuffer value,
            final RemovalCause cause)
    {
        switch (kind)
        {
            case READER:
                return ((ValueReader<Object>)callback).read(value);
            case REMAPPER:
                return ((Remapper)callback).remap(value);
            case ENCODER:
                ((ValueEncoder)callback).encode((org.agrona.MutableDirectBuffer)value, 0);
                return null;
            default:
                ((RemovalListener)callback).onRemoval(key, value, cause);
                return null;
        }
    }

    private void countListenerFailure(final Throwable ex)
    {
        listenerFailures++;
        if (!listenerFailureLogged)
        {
            listenerFailureLogged = true;
            LOGGER.log(System.Logger.Level.WARNING, "removal listener failed (further failures are only " +
                "counted in CacheStats.listenerFailureCount)", ex);
        }
    }
}
