package featviz;

import featviz.model.op.PortableOps;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class on the portable path ({@code -Dfeatviz.ops=portable}: libnd4j's ops only, the path of
 * ND4J's CUDA backend), restoring the property afterwards. A subclass of an existing test with
 * {@code @ExtendWith(PortableMode.class)} runs that test's cases again on this path.
 */
public final class PortableMode implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PortableMode.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("previous", String.valueOf(System.getProperty(PortableOps.PROPERTY)));
        System.setProperty(PortableOps.PROPERTY, "portable");
        if (!PortableOps.active()) {
            throw new IllegalStateException("the portable path did not turn on");
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        String previous = context.getStore(NS).get("previous", String.class);
        if (previous == null || previous.equals("null")) {
            System.clearProperty(PortableOps.PROPERTY);
        } else {
            System.setProperty(PortableOps.PROPERTY, previous);
        }
    }
}
