/**
 * Init scripts that break IndexedDB in a page the ways private windows and blocked site data do, for
 * the tests of the fallback to memory (records-open.test.ts, storage.test.ts).
 */

/** indexedDB.open() fails asynchronously, as in private windows of some browsers. */
export const FAILING_OPEN = `
  IDBFactory.prototype.open = function () {
    const request = { error: new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError'), result: undefined };
    setTimeout(() => request.onerror && request.onerror(new Event('error')), 0);
    return request;
  };
`;

/** indexedDB.open() never answers (seen in some browsers' private modes). */
export const HANGING_OPEN = `IDBFactory.prototype.open = function () { return {}; };`;
