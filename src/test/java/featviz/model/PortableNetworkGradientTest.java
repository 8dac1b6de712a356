package featviz.model;

import featviz.PortableMode;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link NetworkGradientTest} on the portable path (the CUDA backend's): every op's input gradient against
 * finite differences in double, with libnd4j's ops only.
 */
@ExtendWith(PortableMode.class)
class PortableNetworkGradientTest extends NetworkGradientTest {
}
