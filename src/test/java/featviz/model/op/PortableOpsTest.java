package featviz.model.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import featviz.UsageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** -Dfeatviz.ops chooses the CPU's path; the portable one has no direct oneDNN. */
class PortableOpsTest {
    @AfterEach
    void restore() {
        System.clearProperty(PortableOps.PROPERTY);
    }

    @Test
    void thePropertyTurnsThePortablePathOnAndOneDnnOff() {
        System.clearProperty(PortableOps.PROPERTY);
        assertFalse(PortableOps.active(), "the CPU backend's default is its own path");
        boolean onednnHere = Dnnl.handles(DataType.FLOAT);
        System.setProperty(PortableOps.PROPERTY, "portable");
        assertTrue(PortableOps.active());
        assertFalse(Dnnl.handles(DataType.FLOAT), "direct oneDNN on the portable path");
        System.setProperty(PortableOps.PROPERTY, "native");
        assertFalse(PortableOps.active());
        assertEquals(onednnHere, Dnnl.handles(DataType.FLOAT));
    }

    @Test
    void anotherValueIsAUsageError() {
        System.setProperty(PortableOps.PROPERTY, "cuda");
        UsageException e = assertThrows(UsageException.class, PortableOps::active);
        assertTrue(e.getMessage().contains("portable or native"), e.getMessage());
    }
}
