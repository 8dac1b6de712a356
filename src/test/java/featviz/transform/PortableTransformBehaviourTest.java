package featviz.transform;

import featviz.PortableMode;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link TransformBehaviourTest}'s known answers on the portable path. */
@ExtendWith(PortableMode.class)
class PortableTransformBehaviourTest extends TransformBehaviourTest {
}
