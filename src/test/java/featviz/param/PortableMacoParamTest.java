package featviz.param;

import featviz.PortableMode;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link MacoParamTest} on the portable path: MACO's image and gradient through {@link MacoOnDevice}'s ND4J
 * ops, the way the CUDA backend computes them.
 */
@ExtendWith(PortableMode.class)
class PortableMacoParamTest extends MacoParamTest {
}
