package featviz.cli;

import featviz.RunFailure;
import featviz.gallery.ContactSheet;
import featviz.gallery.Gallery;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code featviz gallery}: merge the output directories of a (sharded) run into one browsable gallery. */
@Command(name = "gallery", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merge rendered layers into one manifest, a contact sheet and an HTML page.",
            "",
            "Merges the manifests of output directories (the shards of one run, or several runs) into",
            "OUT/manifest.json, put their images into OUT under the same relative paths (hard links where",
            "possible, else copies), and write a contact sheet of thumbnails labelled with their channel",
            "numbers and OUT/index.html, a self-contained page to browse and sort the renders.",
            "",
            "One contact sheet per model and layer (and settings, where a layer was rendered with several):",
            "OUT/contact-sheet.png when there is one, else OUT/contact-sheet-<model>-<layer>[-<settings>].png.",
            "A channel rendered with the same settings in several directories is kept once (the highest",
            "objective) with a warning; with different settings, once per settings. Images a manifest lists",
            "but that are missing are reported one per line and make the exit code 1; the gallery is still",
            "written without them.",
            "",
            "Examples:",
            "  featviz gallery shard-1 shard-2 shard-3 --output gallery",
            "  featviz gallery runs/vgg19 --output www --thumb 96 --columns 16 --json",
            "  featviz gallery renders --examples examples --output gallery     (see featviz examples)",
            "",
            "Options:"})
public final class GalleryCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", arity = "1..*",
            description = "Directories holding a manifest.json (what featviz maximize --output wrote).")
    List<Path> directories;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", required = true,
            description = "Gallery directory, created if missing; files of the same names in it are replaced.")
    Path output;

    @Option(names = "--thumb", paramLabel = "PX", defaultValue = "128",
            description = "Thumbnail size on the contact sheets and the page, " + ContactSheet.MIN_THUMB + " to "
                    + ContactSheet.MAX_THUMB + ". Default: ${DEFAULT-VALUE}.")
    int thumb;

    @Option(names = "--columns", paramLabel = "N",
            description = "Columns of each contact sheet (fewer if it has fewer images). Default: ceil(sqrt(images)).")
    Integer columns;

    @Option(names = "--title", paramLabel = "TEXT", defaultValue = "featviz gallery",
            description = "Title of index.html. Default: ${DEFAULT-VALUE}.")
    String title;

    @Option(names = "--examples", paramLabel = "DIR", arity = "1..*",
            description = "Directories that featviz examples wrote: each channel's strongest dataset images are shown " +
                "beside its render, on the page and on the contact sheet (whose cells become twice as wide), as " +
                "OpenAI Microscope does. Only renders of the examples' model and layer get them.")
    List<Path> examples = new java.util.ArrayList<>();

    @Option(names = "--json", description = "Print one JSON object on stdout: output, index, manifest, images, " +
        "directories, linked/copied/unchanged counts, sheets, duplicates, missing, unreadable, complete.")
    boolean json;

    @Mixin
    DebugOption debugOption;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (columns != null && columns < 1) {
            throw new featviz.UsageException("--columns must be at least 1, not " + columns);
        }
        Gallery.Options options = new Gallery.Options(thumb, columns == null ? 0 : columns, title,
                examples.stream().map(featviz.gallery.ExampleCrops::load).toList());
        Gallery.Result result = Gallery.build(directories, output, options, line -> {
            err.println("featviz: " + line);
            err.flush();
        });
        if (json) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(Json.write(Gallery.summaryJson(result)));
            out.flush();
        }
        err.println(Gallery.summary(result));
        err.flush();
        if (!result.complete()) {
            int bad = result.missing().size() + result.unreadable().size();
            throw new RunFailure(bad + (bad == 1 ? " image" : " images") + " missing or unreadable (listed above); "
                    + "the gallery in " + output + " has the other " + (result.images() - result.unreadable().size()));
        }
        return 0;
    }
}
