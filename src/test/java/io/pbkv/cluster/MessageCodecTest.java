package io.pbkv.cluster;

import io.pbkv.core.Command;
import io.pbkv.core.LogEntry;
import io.pbkv.core.InSyncConfig;
import io.pbkv.core.Message;
import io.pbkv.core.Precondition;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.Random;
import java.util.UUID;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class MessageCodecTest {

	@Test
	void everyMessageKindSurvivesTheRoundTrip() throws Exception {
		List<Message> messages = TestMessages.everyKind();

		List<Message> decoded = MessageCodec.decode(MessageCodec.encode(messages));

		assertThat(decoded).containsExactlyElementsOf(messages);
		Message.Append append = (Message.Append) decoded.get(0);
		assertThat(((Command.Put) append.entries().get(2).command()).value()).isEqualTo(TestMessages.allBytes());
	}

	@Test
	void anAppendOfTheLargestWriteAClientMayMakeFitsOneRequest() throws Exception {
		byte[] value = new byte[Command.MAX_VALUE_BYTES];
		new Random(5).nextBytes(value);
		List<Long> versions = LongStream.rangeClosed(1, Precondition.IfVersion.MAX_VERSIONS).boxed().toList();
		LogEntry largest = new LogEntry(9, 2,
				new Command.Put("k".repeat(Command.MAX_KEY_BYTES), value, new Precondition.IfVersion(versions)));
		String id = "n".repeat(64);
		Message append = new Message.Append(id, TestMessages.A, TestMessages.B, UUID.randomUUID().toString(), 2, 8,
				2, List.of(largest), 8, 1234, 7, 3);

		byte[] request = MessageCodec.batch(List.of(MessageCodec.encodeMessage(append)));

		assertThat(request.length).isLessThanOrEqualTo(MessageCodec.MAX_BATCH_BYTES);
		assertThat(MessageCodec.decode(request)).containsExactly(append);
	}

	@Test
	void anEmptyBatchSurvivesTheRoundTrip() throws Exception {
		assertThat(MessageCodec.decode(MessageCodec.encode(List.of()))).isEmpty();
	}

	@Test
	void messagesEncodedOneByOneJoinIntoTheSameBatch() {
		List<Message> messages = TestMessages.everyKind();

		byte[] joined = MessageCodec.batch(messages.stream().map(MessageCodec::encodeMessage).toList());

		assertThat(joined).isEqualTo(MessageCodec.encode(messages));
	}

	@Test
	void unknownVersionIsRefused() {
		byte[] bytes = MessageCodec.encode(TestMessages.everyKind());
		bytes[0] = MessageCodec.VERSION + 1;

		assertMalformed(bytes, "version");
	}

	/**
	 * A pair sends no configuration, no witness flag and no hand-over vote: its messages keep the base tags and
	 * layout of the release before witnesses, which can read them during a rolling upgrade.
	 */
	@Test
	void aPairsMessagesKeepTheirBaseFormAndOnlyQuorumFieldsUseTheExtendedOnes() {
		InSyncConfig config = new InSyncConfig(3, 1, Set.of("a"));
		List<Message> base = List.of(new Message.Append("a", "u", "v", "c", 3, 0, 0, List.of(), 0, 1, 0, 0),
				new Message.AppendResult("b", "v", "u", "c", 3, true, 0, 1, true, false),
				new Message.VoteRequest("b", "v", "u", "c", 4, 0, 0, false),
				new Message.VoteResult("a", "u", "v", "c", 4, true, false),
				new Message.InstallSnapshot("a", "u", "v", "c", 3, 5, 2, 1));
		List<Message> extended = List.of(new Message.Append("a", "u", "v", "c", 3, 0, 0, List.of(), 0, 1, 0, 0, config),
				new Message.AppendResult("b", "v", "u", "c", 3, true, 0, 1, true, false, 3, 1, false),
				new Message.VoteRequest("b", "v", "u", "c", 4, 0, 0, false, true),
				new Message.VoteResult("a", "u", "v", "c", 4, true, false, config),
				new Message.InstallSnapshot("a", "u", "v", "c", 3, 5, 2, 1, config));
		for (int i = 0; i < base.size(); i++) {
			byte[] plain = MessageCodec.encode(List.of(base.get(i)));
			byte[] longer = MessageCodec.encode(List.of(extended.get(i)));
			assertThat(plain[0]).as("the batch format").isEqualTo((byte) 2);
			assertThat(plain[5]).as("base tag of " + base.get(i)).isBetween((byte) 1, (byte) 8);
			assertThat(longer[5]).as("extended tag of " + extended.get(i)).isEqualTo((byte) (plain[5] + 8));
			assertThat(Arrays.copyOfRange(longer, 6, plain.length)).as("the base form comes first")
				.isEqualTo(Arrays.copyOfRange(plain, 6, plain.length));
		}
	}

	@Test
	void unknownTagIsRefused() {
		byte[] bytes = MessageCodec.encode(List.of(new Message.Probe("b", "u", "v", null, 1)));
		bytes[5] = 99;

		assertMalformed(bytes, "tag");
	}

	@Test
	void trailingBytesAreRefused() {
		byte[] valid = MessageCodec.encode(TestMessages.everyKind());

		assertMalformed(Arrays.copyOf(valid, valid.length + 1), "trailing");
	}

	@Test
	void everyTruncationIsRefused() {
		byte[] valid = MessageCodec.encode(TestMessages.everyKind());
		for (int length = 0; length < valid.length; length++) {
			assertMalformed(Arrays.copyOf(valid, length), "");
		}
	}

	@Test
	void countsLargerThanTheInputAreRefusedBeforeAllocating() {
		byte[] bytes = ByteBuffer.allocate(5).put(MessageCodec.VERSION).putInt(Integer.MAX_VALUE).array();

		assertMalformed(bytes, "count");
	}

	@Test
	void stringLengthsLargerThanTheInputAreRefused() {
		byte[] bytes = ByteBuffer.allocate(64)
			.put(MessageCodec.VERSION)
			.putInt(1)
			.put((byte) 6)
			.putInt(Integer.MAX_VALUE)
			.array();

		assertMalformed(bytes, "length");
	}

	@Test
	void invalidUtf8InAStringIsRefused() {
		byte[] bytes = MessageCodec.encode(List.of(new Message.Probe("b", "u", "v", null, 1)));
		bytes[1 + 4 + 1 + 4] = (byte) 0xff; // the "b" of from

		assertMalformed(bytes, "UTF-8");
	}

	@Test
	void invalidUtf8InAnEntryKeyIsRefused() {
		LogEntry entry = new LogEntry(1, 1, new Command.Delete("k", Precondition.NONE));
		byte[] bytes = MessageCodec.encode(List.of(new Message.Append(null, null, null, null, 1, 0, 0, List.of(entry),
				0, 0, 0, 0)));
		int k = indexOf(bytes, (byte) 'k');
		bytes[k] = (byte) 0xc0;

		assertMalformed(bytes, "entry 0");
	}

	@Test
	void aBooleanOtherThanZeroOrOneIsRefused() {
		byte[] bytes = MessageCodec.encode(List.of(new Message.VoteResult(null, null, null, null, 1, true, false)));
		bytes[bytes.length - 1] = 2;

		assertMalformed(bytes, "boolean");
	}

	@Test
	void aBatchOverTheSizeLimitIsRefused() {
		assertMalformed(new byte[MessageCodec.MAX_BATCH_BYTES + 1], "exceeds");
	}

	@Test
	void randomBytesAreRefusedOrDecodedNeverCrash() {
		Random random = new Random(20240611);
		for (int i = 0; i < 10_000; i++) {
			byte[] bytes = new byte[random.nextInt(200)];
			random.nextBytes(bytes);
			if (i % 2 == 0 && bytes.length >= 5) {
				// Past the header, so the fuzz reaches the message decoders.
				ByteBuffer.wrap(bytes).put(MessageCodec.VERSION).putInt(1 + random.nextInt(3));
				bytes[5 % bytes.length] = (byte) (1 + random.nextInt(7));
			}
			assertDecodesCanonicallyOrIsMalformed(bytes, "random #" + i);
		}
	}

	@Test
	void damagedEncodingsAreRefusedOrDecodedNeverCrash() {
		Random random = new Random(42);
		List<byte[]> valid = new ArrayList<>();
		TestMessages.everyKind().forEach(m -> valid.add(MessageCodec.encode(List.of(m))));
		valid.add(MessageCodec.encode(TestMessages.everyKind()));
		int[] interesting = { -1, 0, 1, 2, 7, 8, 127, 128, 255, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 20 };
		for (int i = 0; i < 10_000; i++) {
			byte[] bytes = valid.get(random.nextInt(valid.size())).clone();
			switch (random.nextInt(3)) {
				case 0 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
				case 1 -> {
					for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
						int bit = random.nextInt(bytes.length * 8);
						bytes[bit / 8] ^= (byte) (1 << (bit % 8));
					}
				}
				default -> {
					if (bytes.length >= 4) {
						ByteBuffer.wrap(bytes).putInt(random.nextInt(bytes.length - 3),
								interesting[random.nextInt(interesting.length)]);
					}
				}
			}
			assertDecodesCanonicallyOrIsMalformed(bytes, "damaged #" + i);
		}
	}

	/** A decode that succeeds must be exact: the messages encode back to the very same bytes. */
	private static void assertDecodesCanonicallyOrIsMalformed(byte[] bytes, String what) {
		try {
			List<Message> decoded = MessageCodec.decode(bytes);
			assertThat(MessageCodec.encode(decoded)).as(what).isEqualTo(bytes);
		}
		catch (MalformedMessageException ex) {
			assertThat(ex.getMessage()).as(what).isNotBlank().hasSizeLessThan(200);
		}
		catch (Throwable ex) {
			fail(what + " threw " + ex + " for " + Arrays.toString(bytes), ex);
		}
	}

	private static void assertMalformed(byte[] bytes, String reason) {
		assertThatThrownBy(() -> MessageCodec.decode(bytes)).isInstanceOf(MalformedMessageException.class)
			.hasMessageContaining(reason);
	}

	private static int indexOf(byte[] bytes, byte b) {
		for (int i = 0; i < bytes.length; i++) {
			if (bytes[i] == b) {
				return i;
			}
		}
		throw new AssertionError(
				"byte " + (char) b + " not found in " + new String(bytes, StandardCharsets.ISO_8859_1));
	}

}
