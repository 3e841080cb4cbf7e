// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title SQUAD forced-inclusion queue: anyone can put an L2 transaction on L1 that the sequencers
///        must include.
/// @notice `enqueue` stores the signed L2 transaction's hash (keccak256 of its raw bytes, the hash
///         the L2 gives it) and emits the raw bytes for the L2 nodes. An item is due `dueAfter`
///         seconds after it was enqueued: the sequencer inbox refuses a batch whose forced cursor
///         leaves out a due item. If the oldest item not yet included has been due for a further
///         `escapeAfter` seconds (every leader censored it), the inbox lets anyone commit a batch
///         that holds only the due items, so the chain never halts. The items are consumed in order;
///         the fees of the items a batch includes are paid to the batch's committer.
contract ForcedInclusionQueue {
    uint256 public constant MAX_TX_BYTES = 131_072;

    struct Item {
        bytes32 txHash;
        uint64 enqueuedAt;
        uint96 fee;
    }

    uint64 public immutable dueAfter;
    uint64 public immutable escapeAfter;
    uint96 public immutable minFee;
    address public immutable owner;
    /// @notice The only address that may consume items (the sequencer inbox); set once.
    address public inbox;

    Item[] internal _items;
    /// @notice Items before this index are included in a committed batch.
    uint256 public cursor;

    event ForcedTransaction(uint256 indexed index, bytes32 indexed txHash, uint64 enqueuedAt, bytes rawTx);
    event Included(uint256 fromIndex, uint256 toIndex, address committer, uint256 fees);

    error NotOwner();
    error NotInbox();
    error InboxAlreadySet();
    error FeeTooLow(uint256 paid, uint256 required);
    error BadTransaction();
    error BadCursor(uint256 cursor, uint256 current, uint256 length);
    error FeeTransferFailed();

    constructor(uint64 dueAfter_, uint64 escapeAfter_, uint96 minFee_, address owner_) {
        dueAfter = dueAfter_;
        escapeAfter = escapeAfter_;
        minFee = minFee_;
        owner = owner_;
    }

    function setInbox(address inbox_) external {
        if (msg.sender != owner) revert NotOwner();
        if (inbox != address(0)) revert InboxAlreadySet();
        inbox = inbox_;
    }

    /// @notice Queues the signed L2 transaction `rawTx`; returns its index.
    function enqueue(bytes calldata rawTx) external payable returns (uint256 index) {
        if (msg.value < minFee) revert FeeTooLow(msg.value, minFee);
        if (rawTx.length == 0 || rawTx.length > MAX_TX_BYTES) revert BadTransaction();
        bytes32 h = keccak256(rawTx);
        index = _items.length;
        _items.push(Item(h, uint64(block.timestamp), uint96(msg.value)));
        emit ForcedTransaction(index, h, uint64(block.timestamp), rawTx);
    }

    function length() external view returns (uint256) {
        return _items.length;
    }

    function itemAt(uint256 index) external view returns (bytes32 txHash, uint64 enqueuedAt, uint64 dueAt) {
        Item memory it = _items[index];
        return (it.txHash, it.enqueuedAt, it.enqueuedAt + dueAfter);
    }

    /// @notice How many items (from index 0) are due at the current block's timestamp: a batch's
    ///         forced cursor must be at least this.
    function dueCount() public view returns (uint256) {
        if (block.timestamp < dueAfter) return 0;
        uint256 limit = block.timestamp - dueAfter;
        // items are in enqueue order, so the due ones are a prefix: the first not due, by bisection
        uint256 lo = cursor;
        uint256 hi = _items.length;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (_items[mid].enqueuedAt <= limit) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// @notice True when the oldest item not included has been due for `escapeAfter` seconds.
    function escapeOpen() external view returns (bool) {
        return cursor < _items.length
            && uint256(_items[cursor].enqueuedAt) + dueAfter + escapeAfter <= block.timestamp;
    }

    /// @notice keccak256 of the hashes of items [from, to), packed: the transaction-list hash of a
    ///         batch that holds exactly those items.
    function hashRange(uint256 from, uint256 to) external view returns (bytes32) {
        if (from > to || to > _items.length) revert BadCursor(to, from, _items.length);
        bytes32[] memory hs = new bytes32[](to - from);
        for (uint256 i = from; i < to; i++) {
            hs[i - from] = _items[i].txHash;
        }
        return keccak256(abi.encodePacked(hs));
    }

    /// @notice Marks items [cursor, newCursor) included and pays their fees to `committer`.
    function consume(uint256 newCursor, address committer) external {
        if (msg.sender != inbox) revert NotInbox();
        uint256 from = cursor;
        if (newCursor < from || newCursor > _items.length) revert BadCursor(newCursor, from, _items.length);
        if (newCursor == from) return;
        uint256 fees;
        for (uint256 i = from; i < newCursor; i++) {
            fees += _items[i].fee;
        }
        cursor = newCursor;
        emit Included(from, newCursor, committer, fees);
        if (fees > 0) {
            (bool ok,) = committer.call{value: fees}("");
            if (!ok) revert FeeTransferFailed();
        }
    }
}
