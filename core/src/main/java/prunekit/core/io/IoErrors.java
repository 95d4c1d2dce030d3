package prunekit.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/** File-system failures in words: NIO's exceptions carry only the path, which reads as no reason at all. */
public final class IoErrors {
    private IoErrors() {
    }

    /** "no such file or directory", "permission denied", ... or the exception's own message. */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException fs && fs.getReason() == null) {
            return fs instanceof NoSuchFileException ? "no such file or directory"
                    : fs instanceof AccessDeniedException ? "permission denied"
                    : fs instanceof FileAlreadyExistsException ? "already exists"
                    : fs instanceof NotDirectoryException ? "not a directory"
                    : fs instanceof DirectoryNotEmptyException ? "directory not empty"
                    : "file system error";
        }
        return String.valueOf(e.getMessage());
    }

    /** "{@code file}: cannot read (reason)". */
    public static UncheckedIOException cannotRead(Path file, IOException e) {
        return new UncheckedIOException(file + ": cannot read (" + reason(e) + ")", e);
    }
}
