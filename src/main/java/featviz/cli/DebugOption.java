package featviz.cli;

import picocli.CommandLine.Option;

/**
 * {@code --debug}, for every command. {@link Main} reads it from the raw arguments, since an error can
 * happen before the options are bound; this declaration puts it in each command's help.
 */
public final class DebugOption {
    @Option(names = "--debug", description = "Print stack traces on errors.")
    boolean debug;
}
