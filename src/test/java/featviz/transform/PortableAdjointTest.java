package featviz.transform;

import featviz.PortableMode;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link AdjointTest} on the portable path: gathers and matrix products instead of the host sampler. */
@ExtendWith(PortableMode.class)
class PortableAdjointTest extends AdjointTest {
}
