package dev.larder.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Word-at-a-time views of {@code byte[]} without {@code Unsafe}: intrinsified VarHandles. */
final class ByteArrays
{
    static final VarHandle LONG_NATIVE =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    static final VarHandle INT_NATIVE =
        MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    static final VarHandle LONG_BIG_ENDIAN =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private ByteArrays()
    {
    }

    static long getLongNative(final byte[] array, final int offset)
    {
        return (long)LONG_NATIVE.get(array, offset);
    }

    static long getLongBigEndian(final byte[] array, final int offset)
    {
        return (long)LONG_BIG_ENDIAN.get(array, offset);
    }
}
