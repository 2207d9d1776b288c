package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ReadGateTest
{
    @Test
    void countsOutcomesAndReadersInside()
    {
        final ReadGate gate = new ReadGate(4);
        final int first = gate.enter();
        final int second = gate.enter();
        assertEquals(2, gate.inside());
        gate.exit(first, ReadGate.HIT);
        gate.exit(second, ReadGate.MISS);
        gate.exit(gate.enter(), ReadGate.EXIT);
        assertEquals(0, gate.inside());
        assertEquals(1, gate.hits());
        assertEquals(1, gate.misses());
    }

    @Test
    void closeWaitsForTheReaderInsideAndShutsOutNewOnes() throws Exception
    {
        final ReadGate gate = new ReadGate(4);
        final int stripe = gate.enter();
        final AtomicBoolean closed = new AtomicBoolean();
        final CountDownLatch started = new CountDownLatch(1);
        final Thread closer = new Thread(() -> {
            started.countDown();
            gate.close();
            closed.set(true);
        });
        closer.start();
        started.await();
        Thread.sleep(50);
        assertFalse(closed.get(), "close must wait while a reader is inside");
        assertTrue(gate.isClosed(), "the gate is shut at once");
        assertEquals(-1, gate.enter(), "new readers are turned away");
        gate.exit(stripe, ReadGate.HIT);
        closer.join(TimeUnit.SECONDS.toMillis(10));
        assertTrue(closed.get(), "close returns once the reader has left");
        assertEquals(0, gate.inside());
    }

    @Test
    void rejectsAStripeCountThatIsNotAPowerOfTwo()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new ReadGate(6));
        assertEquals("stripes must be a power of two from 1 to 65536: stripes=6", ex.getMessage());
    }
}
