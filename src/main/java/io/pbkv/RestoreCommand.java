package io.pbkv;

import io.pbkv.storage.SnapshotBackups;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code java -jar pbkv.jar restore <snapshot-file> <data-dir>}: verifies a snapshot downloaded from
 * {@code GET /admin/snapshot} and places it in a new, empty data dir, from which a node started with
 * {@code --kv.initial-role=primary} founds a new cluster holding that state. Plain Java, no Spring context.
 */
public final class RestoreCommand {

	/** The first argument that selects this command instead of a node. */
	public static final String COMMAND = "restore";

	static final int OK = 0;

	static final int FAILED = 1;

	static final int USAGE = 2;

	private static final String HELP = """
			Usage: pbkv restore <snapshot-file> <data-dir>

			Verifies a snapshot downloaded from a node's GET /admin/snapshot (format, header, checksum) and places it
			in <data-dir>, which must be new or empty, as <data-dir>/log/snapshot-<index>.snap. Then start the first
			node of the new cluster on it:

			  java -jar pbkv.jar --kv.data-dir=<data-dir> --kv.initial-role=primary [--kv.peers=<other node's URL>]

			It founds a new cluster (a new cluster id, an epoch after the snapshot's) holding exactly the state at the
			snapshot's index; a peer with an empty data dir copies it from there. Exit codes: 0 restored, 1 refused or
			failed (<data-dir> then holds no snapshot), 2 usage error.
			""";

	private RestoreCommand() {
	}

	public static int run(String... args) {
		return run(List.of(args), System.out, System.err);
	}

	static int run(List<String> args, PrintStream out, PrintStream err) {
		if (args.contains("--help") || args.contains("-h")) {
			out.print(HELP);
			return OK;
		}
		if (args.size() != 2 || args.stream().anyMatch(a -> a.startsWith("-"))) {
			err.println("pbkv restore: expected <snapshot-file> <data-dir>, got " + args);
			err.println("Run 'pbkv restore --help' for usage.");
			return USAGE;
		}
		Path file = Path.of(args.get(0));
		Path dataDir = Path.of(args.get(1));
		try {
			if (!Files.isRegularFile(file)) {
				throw new NoSuchFileException(file.toString(), null, "no such snapshot file");
			}
			SnapshotBackups.Restored restored = SnapshotBackups.restore(file, dataDir);
			out.printf("restored the snapshot at index %d (epoch %d, %d keys, %d bytes) into %s%n",
					restored.lastIndex(), restored.lastEpoch(), restored.keys(), restored.bytes(), restored.file());
			out.printf("start the first node of the new cluster on it:%n  java -jar pbkv.jar --kv.data-dir=%s "
					+ "--kv.initial-role=primary [--kv.peers=...]%n", dataDir);
			return OK;
		}
		catch (IllegalArgumentException ex) {
			err.println("pbkv restore: refused: " + ex.getMessage());
			return FAILED;
		}
		catch (NoSuchFileException ex) {
			err.println("pbkv restore: " + ex.getFile() + ": " + (ex.getReason() != null ? ex.getReason() : "no such file"));
			return FAILED;
		}
		catch (IOException ex) {
			err.println("pbkv restore: failed: " + ex.getMessage());
			return FAILED;
		}
		finally {
			out.flush();
			err.flush();
		}
	}

}
