package featviz.render;

import featviz.PortableMode;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link KnownAnswerRenderTest} on the portable path (the CUDA backend's): known-answer renders with libnd4j's
 * ops only.
 */
@ExtendWith(PortableMode.class)
class PortableKnownAnswerRenderTest extends KnownAnswerRenderTest {
}
