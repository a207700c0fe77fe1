package io.pbkv.runtime;

import io.pbkv.core.Event;
import io.pbkv.core.Ready;
import io.pbkv.core.Reply;

import java.io.IOException;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one {@link Ready} in the one order durability allows. This is the only place that order is written
 * down:
 * <ol>
 * <li>send a primary's appends ({@link Ready#messagesBeforeSync}), which need only the backup's durability;</li>
 * <li>persist: the hard state (epoch, vote; atomic file), the discarded entries (kept for inspection), an
 * installed snapshot, the truncation, the entries and the commit index, then ONE fsync for all of it: concurrent
 * writes that queued up meanwhile share it (group commit);</li>
 * <li>send the rest, so that no message promises what is not on disk (a backup's acknowledgement means
 * durable);</li>
 * <li>reply: these only ever answer entries made durable and committed in an earlier turn;</li>
 * <li>advance the core, which then commits and applies what is now durable;</li>
 * <li>hand a snapshot the core asked for to the {@link SnapshotWriter}; once its file is durable, a later turn
 * lets the store and the core compact.</li>
 * </ol>
 * Runs on the node's loop thread; an IOException stops the node rather than guess what reached the disk.
 */
final class ReadyExecutor {

	private static final Logger log = LoggerFactory.getLogger(ReadyExecutor.class);

	private final LogStore logStore;

	private final MetaStore metaStore;

	private final DiscardedEntries discarded;

	private final Transport transport;

	private final RuntimeListener listener;

	ReadyExecutor(LogStore logStore, MetaStore metaStore, DiscardedEntries discarded, Transport transport,
			RuntimeListener listener) {
		this.logStore = logStore;
		this.metaStore = metaStore;
		this.discarded = discarded;
		this.transport = transport;
		this.listener = listener;
	}

	/** Steps 1-3; the caller advances the core (4) and then hands any snapshot to the writer (5). */
	void persistSendReply(Ready rd, Consumer<Reply> replies) throws IOException {
		// A primary's appends go before its own fsync, so that the backup's disk works while ours does.
		transport.send(rd.messagesBeforeSync());
		persist(rd);
		transport.send(rd.messagesAfterSync());
		listener.sent(rd.messages());
		report(rd);
		rd.replies().forEach(replies);
	}

	private void persist(Ready rd) throws IOException {
		if (rd.hardState() != null) {
			metaStore.save(rd.hardState());
		}
		if (!rd.discarded().isEmpty()) {
			discarded.record(rd.discarded());
		}
		if (rd.installSnapshot() != null) {
			logStore.resetTo(rd.installSnapshot());
		}
		if (rd.truncateFrom() > 0) {
			logStore.truncateFrom(rd.truncateFrom());
		}
		if (!rd.entries().isEmpty()) {
			logStore.append(rd.entries());
		}
		if (rd.commitIndex() > 0) {
			// Not synced on its own: a lost commit mark only makes entries look uncommitted after a crash, and
			// the protocol commits them again.
			logStore.commit(rd.commitIndex());
		}
		if (rd.needsSync()) {
			long start = System.nanoTime();
			logStore.sync();
			listener.synced(rd.entries().size(), System.nanoTime() - start);
		}
	}

	private void report(Ready rd) {
		rd.roleChanges().forEach(change -> {
			log.info("{}", change);
			listener.roleChanged(change);
		});
		rd.events().forEach(event -> {
			if (event.kind() == Event.Kind.BACKUP_ADMITTED) {
				log.info("{}", event);
			}
			else if (!event.text().isEmpty()) {
				log.warn("{}", event);
			}
			listener.event(event);
		});
	}


}
