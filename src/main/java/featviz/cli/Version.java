package featviz.cli;

import picocli.CommandLine;

/** The version from the jar manifest (the Maven project version), "dev" when run from classes. */
public final class Version implements CommandLine.IVersionProvider {
    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"featviz " + get()};
    }
}
