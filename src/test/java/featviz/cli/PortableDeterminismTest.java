package featviz.cli;

import featviz.PortableMode;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link DeterminismAcrossProcessesTest} on the portable path: two JVMs given {@code -Dfeatviz.ops=portable}
 * (and this one) write byte-identical PNGs, so libnd4j's ops and the gather-based sampling sum in a fixed order.
 */
@ExtendWith(PortableMode.class)
class PortableDeterminismTest extends DeterminismAcrossProcessesTest {
}
