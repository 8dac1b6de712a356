package featviz.model.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The buffer pool behind the ops' arrays: a released buffer is lent again, once, and only to its own size. */
class MemoryTest {

    @Test
    void aReleasedBufferIsLentAgainToTheSameLengthInAnyShape() {
        INDArray a = Memory.allocate(DataType.FLOAT, 2, 3, 4, 5);
        a.assign(7);
        Memory.release(a);
        long created = Memory.buffersCreated();
        INDArray b = Memory.allocate(DataType.FLOAT, 6, 20);
        assertEquals(created, Memory.buffersCreated(), "recycled, not created");
        assertTrue(Memory.sharesBuffer(a, b));
        assertEquals(7, b.getFloat(0, 0), 0, "uninitialised: the old contents are still there");
        INDArray other = Memory.allocate(DataType.DOUBLE, 6, 20);
        assertFalse(Memory.sharesBuffer(b, other), "another type gets its own buffer");
        Memory.release(b);
        Memory.release(other);
    }

    @Test
    void aReleasedBufferServesSomewhatShorterArraysAsDenseArrays() {
        Memory.emptyPool();
        INDArray a = Memory.allocate(DataType.FLOAT, 1, 3, 12, 12); // 432
        Memory.release(a);
        long created = Memory.buffersCreated();
        INDArray b = Memory.allocate(DataType.FLOAT, 1, 3, 11, 11); // 363: within 1.5x
        assertEquals(created, Memory.buffersCreated(), "recycled, not created");
        assertTrue(Memory.sharesBuffer(a, b));
        assertTrue(Memory.contiguous(b), "dense from its start, though ND4J calls it a view");
        b.assign(Nd4j.linspace(1, 363, 363, DataType.FLOAT).reshape(1, 3, 11, 11));
        assertEquals(363 * 364 / 2, b.sumNumber().doubleValue(), 0, "only its own elements count");
        assertEquals(121, b.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(0))
                .getFloat(10, 10), 0);
        INDArray c = Memory.allocate(DataType.FLOAT, 1, 3, 12, 12);
        assertFalse(Memory.sharesBuffer(b, c), "the buffer is lent once");
        Memory.release(b);
        Memory.release(c);
        INDArray d = Memory.allocate(DataType.FLOAT, 1, 3, 9, 9); // 243: 432 is more than 1.5x
        assertFalse(Memory.sharesBuffer(a, d), "a much longer buffer is not lent");
        Memory.release(d);
        assertFalse(Memory.contiguous(Nd4j.create(DataType.FLOAT, 4, 4).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3))),
                "a view inside another array is not");
        Memory.emptyPool();
    }

    @Test
    void releasingTwiceDoesNotLendOneBufferTwice() {
        INDArray a = Memory.allocate(DataType.FLOAT, 3, 7);
        Memory.release(a);
        Memory.release(a);
        Memory.release(a.reshape(7, 3));
        INDArray b = Memory.allocate(DataType.FLOAT, 3, 7);
        INDArray c = Memory.allocate(DataType.FLOAT, 3, 7);
        assertFalse(Memory.sharesBuffer(b, c));
        b.assign(1);
        c.assign(2);
        assertEquals(21, b.sumNumber().doubleValue(), 0);
        Memory.release(b);
        Memory.release(c);
    }

    @Test
    void aNewLargeBufferEvictsWaitingLargeOnesButNotSmallOnes() {
        Memory.emptyPool();
        INDArray large = Memory.allocate(DataType.FLOAT, 9, 1 << 20); // 36 MB
        INDArray small = Memory.allocate(DataType.FLOAT, 1000);
        Memory.release(large);
        Memory.release(small);
        INDArray larger = Memory.allocate(DataType.FLOAT, 10, 1 << 20); // another large size
        assertTrue(large.data().wasClosed(), "the waiting large buffer is freed, not kept beside the new one");
        long created = Memory.buffersCreated();
        INDArray smallAgain = Memory.allocate(DataType.FLOAT, 1000);
        assertEquals(created, Memory.buffersCreated(), "small buffers stay in the pool");
        assertTrue(Memory.sharesBuffer(small, smallAgain));
        Memory.release(larger);
        Memory.release(smallAgain);
        Memory.emptyPool();
    }

    @Test
    void arraysNotFromThePoolAreFreedAsBefore() {
        INDArray a = Nd4j.create(DataType.FLOAT, 4, 4);
        Memory.release(a);
        assertTrue(a.wasClosed());
        Memory.emptyPool();
    }
}
