package featviz;

/**
 * Something failed while running although the input was valid: a download that did not arrive,
 * a disk that refused a write. The command line prints the message as one line and exits with 1.
 */
public class RunFailure extends RuntimeException {
    public RunFailure(String message) {
        super(message);
    }

    public RunFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
