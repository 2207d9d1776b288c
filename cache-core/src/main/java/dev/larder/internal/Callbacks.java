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

    /** Tells the listener, if any, that the live record at {@code position} is leaving. */
    void notifyRemoval(final int position, final RemovalCause cause)
    {
        if (listener == null)
        {
            return;
        }
        final Memory memory = ring.memory();
        final int keyLength = Entries.keyLength(memory, position);
        final int recordLength = ring.checkRecord(position, HEADER_LENGTH + keyLength);
        keyView.bindTo(memory.byteBuffer(), Entries.keyOffset(position), keyLength, false);
        valueView.bindTo(memory.byteBuffer(), Entries.valueOffset(position, keyLength),
            ring.checkedValueLength(position, recordLength, keyLength), false);
        run(LISTENER, listener, valueView, cause);
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
            result = call(kind, callback, value, cause);
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
    private Object call(final int kind, final Object callback, final DirectBuffer value, final RemovalCause cause)
    {
        switch (kind)
        {
            case READER:
                return ((ValueReader<Object>)callback).read(value);
            case REMAPPER:
                return ((Remapper)callback).remap(value);
            case ENCODER:
                ((ValueEncoder)callback).encode(valueView, 0);
                return null;
            default:
                ((RemovalListener)callback).onRemoval(keyView, value, cause);
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
