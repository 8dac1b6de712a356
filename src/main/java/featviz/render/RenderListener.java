package featviz.render;

/** Hears about the render loop's progress; the CLI's progress bar is one. */
public interface RenderListener {
    RenderListener NONE = (step, total, objective) -> {
    };

    /** Called after each step (1-based) with the objective (summed over the batch) at that step. */
    void stepDone(int step, int totalSteps, double objective);
}
