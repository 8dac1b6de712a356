package featviz.render;

import featviz.PortableMode;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ChannelCountRenderTest} on the portable path (the CUDA backend's): known-answer renders through every
 * parameterization and Lucid's transforms, sampled by ND4J gathers and products.
 */
@ExtendWith(PortableMode.class)
class PortableChannelCountRenderTest extends ChannelCountRenderTest {
}
