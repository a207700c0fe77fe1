package io.pbkv.cluster;

import io.pbkv.core.Command;
import io.pbkv.core.InSyncConfig;
import io.pbkv.core.LogEntry;
import io.pbkv.core.Message;
import io.pbkv.core.NodeStatus;
import io.pbkv.core.Role;
import io.pbkv.core.Precondition;
import io.pbkv.core.Snapshot;
import io.pbkv.core.VersionedValue;

import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/** One message of every kind, with every command and precondition, binary values and nulls where allowed. */
final class TestMessages {

	static final String A = "http://10.0.0.1:8080";

	static final String B = "http://10.0.0.2:8080";

	private TestMessages() {
	}

	static byte[] allBytes() {
		byte[] bytes = new byte[256];
		for (int i = 0; i < bytes.length; i++) {
			bytes[i] = (byte) i;
		}
		return bytes;
	}

	static List<LogEntry> entries() {
		return List.of(new LogEntry(1, 1, new Command.EpochStart("a")),
				new LogEntry(2, 1, new Command.Put("color", "blue".getBytes(), Precondition.NONE)),
				new LogEntry(3, 1, new Command.Put("bin/\u00e9\uD83D\uDE00", allBytes(), Precondition.IF_ABSENT)),
				new LogEntry(4, 2, new Command.Put("empty", new byte[0], Precondition.IF_PRESENT)),
				new LogEntry(5, 2,
						new Command.Put("cas", new byte[] { 0 }, new Precondition.IfVersion(List.of(3L, 4L)))),
				new LogEntry(6, 2, new Command.Delete("color", Precondition.NONE)),
				new LogEntry(7, 2, new Command.Delete("cas", new Precondition.IfVersion(List.of()))),
				new LogEntry(8, 2, new Command.Delete("x", Precondition.IF_PRESENT)));
	}

	static Snapshot snapshot() {
		TreeMap<String, VersionedValue> data = new TreeMap<>();
		data.put("a", new VersionedValue(allBytes(), 3));
		data.put("b/\u00fc", new VersionedValue(new byte[0], 5));
		data.put("c", new VersionedValue("x".getBytes(), 9));
		return new Snapshot(9, 2, data, new TreeMap<>(java.util.Map.of(1L, 1L, 4L, 2L)));
	}

	/** A node's status at {@code epoch}, for controllers that look at it. */
	static NodeStatus atEpoch(long epoch) {
		return new NodeStatus("b", "cluster-1", Role.BACKUP, epoch, "a", A, 8, 8, 8, 0, 1, 0, true, List.of());
	}

	/** Each URL bound to an incarnation (one entry when both name the same peer). */
	private static java.util.Map<String, String> bindings(String a, String b) {
		java.util.Map<String, String> bindings = new java.util.TreeMap<>();
		bindings.put(a, "a-inc");
		bindings.put(b, "b-inc-2");
		return bindings;
	}

	static List<Message> everyKind() {
		return everyKind(A, B);
	}

	/** Messages between a node at {@code a} and one at {@code b}, both ways; one has no addressee at all. */
	static List<Message> everyKind(String a, String b) {
		return List.of(
				new Message.Append("a", a, b, "cluster-1", 2, 0, 0, entries(), 5, 1234, 7, 3),
				new Message.Append("a", a, b, "cluster-1", 2, 8, 2, List.of(), 8, -1, 0, 0),
				new Message.AppendResult("b", b, a, "cluster-1", 2, true, 8, 1234, true),
				new Message.AppendResult("b", b, a, "cluster-1", 2, false, 0, Long.MIN_VALUE, false),
				new Message.AppendResult("b", b, a, "cluster-1", 2, false, 7, 99, false, true),
				new Message.InstallSnapshot("a", a, b, "cluster-1", 2, 9, 2, Long.MAX_VALUE),
				new Message.InstallSnapshot("a", a, b, null, 1, 0, 0, 0),
				new Message.VoteRequest("b", b, a, "cluster-1", 3, 8, 2, false),
				new Message.VoteRequest("b", b, a, "cluster-1", 4, 8, 2, true),
				new Message.VoteResult("a", a, b, "cluster-1", 3, true, false),
				new Message.VoteResult("a", a, b, "cluster-1", 3, false, true),
				new Message.Probe("b", b, a, null, 0),
				new Message.Probe(null, null, null, null, 0),
				new Message.ProbeResult("a", a, b, null, 0, true, null),
				new Message.ProbeResult("a", a, b, "cluster-1", 4, false, "a"),
				new Message.TimeoutNow("a", a, b, "cluster-1", 5, 412, 4),
				new Message.Append("a", a, b, "cluster-1", 6, 8, 2, List.of(), 8, 77, 0, 0,
						new InSyncConfig(6, 2, Set.of("a", "b"), new java.util.TreeSet<>(List.of(a, b, "http://w:1")))),
				new Message.Append("a", a, b, "cluster-1", 6, 8, 2, List.of(), 8, 77, 0, 0,
						new InSyncConfig(0, 0, Set.of())),
				new Message.AppendResult("w", b, a, "cluster-1", 6, true, 0, 77, false, false, 6, 2, true),
				new Message.AppendResult("b", b, a, "cluster-1", 6, true, 9, 77, true, false, 6, 2, false, "b#1"),
				new Message.Append("a", a, b, "cluster-1", 6, 8, 2, List.of(), 8, 77, 0, 0,
						new InSyncConfig(6, 3, Set.of("a"), new java.util.TreeSet<>(List.of(a, b)),
								bindings(a, b))),
				new Message.VoteRequest("b", b, a, "cluster-1", 7, 8, 2, false, true),
				new Message.InstallSnapshot("a", a, b, "cluster-1", 7, 9, 2, 55,
						new InSyncConfig(7, 1, Set.of("a"), Set.of("http://a", "http://b", "http://w"))),
				new Message.VoteResult("a", a, b, "cluster-1", 7, true, false, new InSyncConfig(6, 2, Set.of("b"))));
	}

}
