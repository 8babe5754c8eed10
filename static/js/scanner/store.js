// IndexedDB on the phone: the event's ticket list (hashes, names, ticket type, status, never
// tokens), the queue of scans waiting to be sent, and a few settings. Survives reloads.
function promised (request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

function done (tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error)
  })
}

export class Store {
  static async open (slug) {
    const request = indexedDB.open(`lgcamp-door-${slug}`, 1)
    request.onupgradeneeded = () => {
      const db = request.result
      db.createObjectStore('tickets', { keyPath: 'h' })
      db.createObjectStore('queue', { keyPath: 'scan_id' }).createIndex('queued_at', 'queued_at')
      db.createObjectStore('meta')
    }
    return new Store(await promised(request))
  }

  constructor (db) { this.db = db }

  async replaceTickets (tickets) {
    const tx = this.db.transaction('tickets', 'readwrite')
    const store = tx.objectStore('tickets')
    store.clear()
    for (const ticket of tickets) store.put(ticket)
    await done(tx)
  }

  // Names are personal data: gone from the phone once it may no longer scan (the queue stays).
  async clearTickets () {
    const tx = this.db.transaction(['tickets', 'meta'], 'readwrite')
    tx.objectStore('tickets').clear()
    tx.objectStore('meta').delete('etag')
    await done(tx)
  }

  getTicket (hash) {
    return promised(this.db.transaction('tickets').objectStore('tickets').get(hash))
  }

  async patchTicket (hash, patch) {
    const tx = this.db.transaction('tickets', 'readwrite')
    const store = tx.objectStore('tickets')
    const ticket = await promised(store.get(hash))
    if (ticket) store.put({ ...ticket, ...patch })
    await done(tx)
  }

  allTickets () {
    return promised(this.db.transaction('tickets').objectStore('tickets').getAll())
  }

  countTickets () {
    return promised(this.db.transaction('tickets').objectStore('tickets').count())
  }

  async enqueue (item) {
    const tx = this.db.transaction('queue', 'readwrite')
    tx.objectStore('queue').put({ ...item, queued_at: Date.now() })
    await done(tx)
  }

  queued (limit = 100) {
    const index = this.db.transaction('queue').objectStore('queue').index('queued_at')
    return promised(index.getAll(null, limit))
  }

  countQueued () {
    return promised(this.db.transaction('queue').objectStore('queue').count())
  }

  async dequeue (scanIds) {
    const tx = this.db.transaction('queue', 'readwrite')
    for (const id of scanIds) tx.objectStore('queue').delete(id)
    await done(tx)
  }

  getMeta (key) {
    return promised(this.db.transaction('meta').objectStore('meta').get(key))
  }

  async setMeta (key, value) {
    const tx = this.db.transaction('meta', 'readwrite')
    tx.objectStore('meta').put(value, key)
    await done(tx)
  }
}
