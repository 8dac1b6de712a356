package featviz.render;

import featviz.PortableMode;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link KnownAnswerMacoTest} on the portable path (the CUDA backend's): MACO's known-answer renders with its
 * parameterization as ND4J ops and libnd4j's ops in the network.
 */
@ExtendWith(PortableMode.class)
class PortableKnownAnswerMacoTest extends KnownAnswerMacoTest {
}
