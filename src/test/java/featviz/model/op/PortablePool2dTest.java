package featviz.model.op;

import featviz.PortableMode;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Pool2dTest} on the portable path (the CUDA backend's): libnd4j's own maxpool2d/maxpool2d_bp (the
 * comparison with libnd4j is then an identity; the finite differences are not).
 */
@ExtendWith(PortableMode.class)
class PortablePool2dTest extends Pool2dTest {
}
