package featviz.model;

import featviz.PortableMode;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link NetworkMatchesDl4jTest} on the portable path (the CUDA backend's): the forward pass against DL4J's,
 * with libnd4j's ops only.
 */
@ExtendWith(PortableMode.class)
class PortableNetworkMatchesDl4jTest extends NetworkMatchesDl4jTest {
}
