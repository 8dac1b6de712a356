package featviz;

/**
 * Bad input from the user: an unknown model or layer, an index out of range, an unreadable file.
 * The command line prints the message as one line and exits with code 2.
 */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
