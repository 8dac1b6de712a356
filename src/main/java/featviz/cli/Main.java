package featviz.cli;

import featviz.RunFailure;
import featviz.UsageException;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code featviz} command: see what a unit of a trained CNN responds to. */
@Command(name = "featviz",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        subcommands = {MaximizeCommand.class, LayersCommand.class, DreamCommand.class, InfoCommand.class,
            CompareCommand.class, GalleryCommand.class, BenchCommand.class, PredictCommand.class,
            ActivationsCommand.class, EmbedCommand.class, ExamplesCommand.class, CommandLine.HelpCommand.class},
        description = {
            "Feature visualization for CNNs: gradient ascent on an input image until a chosen unit of a",
            "trained network (VGG19, VGG16, ResNet50, the embedded Fashion-MNIST network or your own DL4J",
            "model) is maximally active.",
            "",
            "Start with (the embedded model needs no download):",
            "  featviz layers --model fashion-mnist                                the layers you can visualise",
            "  featviz maximize --model fashion-mnist --objective \"class(bag)\"     what it calls a bag",
            "  featviz predict fashion-mnist_objective.png --model fashion-mnist   what it calls the picture",
            "  featviz maximize --layer block5_conv4 --index 4                     VGG19 (ImageNet weights)",
            "",
            "Exit codes: 0 success, 1 failure while running (e.g. a download), 2 bad usage or input."
        })
public final class Main implements Runnable {
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: maximize, layers, dream, info, compare, gallery, bench, predict, activations, embed or examples");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs featviz in this JVM, as the tests do; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        boolean debug = Arrays.asList(args).contains("--debug");
        CommandLine cli = new CommandLine(new Main());
        cli.setUsageHelpWidth(100); // the help texts are written for 100 columns: at 80 picocli re-wraps every line
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            String help = e.getCommandLine().getCommandName();
            String path = e.getCommandLine().getParent() == null ? "featviz" : "featviz " + help;
            err.println("featviz: " + e.getMessage() + " (see " + path + " --help)");
            err.flush();
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            if (debug) {
                e.printStackTrace(err);
            }
            int code;
            if (e instanceof UsageException) {
                code = EXIT_USAGE;
                err.println("featviz: " + e.getMessage());
            } else if (e instanceof RunFailure) {
                code = EXIT_FAILURE;
                err.println("featviz: " + e.getMessage());
            } else {
                code = EXIT_FAILURE;
                err.println("featviz: internal error: " + e + (debug ? "" : " (run with --debug for details)"));
            }
            err.flush();
            return code;
        });
        try {
            args = Provenance.expandLike(args);
        } catch (UsageException e) {
            err.println("featviz: " + e.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
        return cli.execute(args);
    }
}
