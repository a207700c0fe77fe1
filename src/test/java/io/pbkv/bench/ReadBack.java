package io.pbkv.bench;

/**
 * The lost-write check: every PUT acknowledged (200) during the failover runs, read back from the primary at
 * the end.
 *
 * @param checked keys read back
 * @param missing answered 404: an acknowledged write lost
 * @param wrongValue answered 200 with another value than the one acknowledged: lost as well
 * @param unanswered no answer or another status: could not be checked
 */
record ReadBack(long checked, long missing, long wrongValue, long unanswered) {

	long lost() {
		return this.missing + this.wrongValue;
	}

	/** Every acknowledged write was read back with its value. */
	boolean allPresent() {
		return lost() == 0 && this.unanswered == 0;
	}

}
