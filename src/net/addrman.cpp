#include <net/addrman.h>

#include <net/addrman_impl.h>

#include <consensus/hash.h>
#include <consensus/serialize.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace net {
namespace {

// Core's HashWriter(...).GetCheapHash(): SHA-256d, first 8 bytes little-endian.
uint64_t CheapHash(const std::vector<uint8_t>& data)
{
    const consensus::Uint256 h = consensus::Hash256(data);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | h.data()[i];
    return v;
}

void PutVector(consensus::Writer& w, const std::vector<uint8_t>& v)
{
    consensus::WriteCompactSize(w, v.size());
    w.WriteBytes(v);
}

int64_t SystemNow()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

std::vector<uint8_t> AddrKey(const Service& service)
{
    std::vector<uint8_t> key;
    key.reserve(18);
    if (service.addr.net == Network::IPV4) {
        key.assign(10, 0);
        key.push_back(0xff);
        key.push_back(0xff);
    }
    for (uint8_t b : service.addr.bytes)
        key.push_back(b);
    key.push_back(static_cast<uint8_t>(service.port >> 8));
    key.push_back(static_cast<uint8_t>(service.port & 0xff));
    return key;
}

bool IsTerrible(const AddrInfo& info, int64_t now)
{
    if (now - info.last_try <= 60) return false; // tried in the last minute: keep it
    const int64_t time = info.entry.time;
    if (time > now + 10 * 60) return true; // timestamp from the future
    if (now - time > ADDRMAN_HORIZON) return true;
    if (info.last_success == 0 && info.attempts >= ADDRMAN_RETRIES) return true;
    if (now - info.last_success > ADDRMAN_MIN_FAIL && info.attempts >= ADDRMAN_MAX_FAILURES)
        return true;
    return false;
}

double GetChance(const AddrInfo& info, int64_t now)
{
    double chance = 1.0;
    if (now - info.last_try < 10 * 60) chance *= 0.01;
    chance *= std::pow(0.66, std::min(info.attempts, 8));
    return chance;
}

AddrMan::Impl::Impl(AddrManOptions opts) : options{std::move(opts)}
{
    if (options.rng_seed == 0) {
        std::random_device rd;
        rng.seed((uint64_t{rd()} << 32) ^ rd());
    } else {
        rng.seed(options.rng_seed);
    }
    if (options.key) {
        key = *options.key;
    } else {
        std::random_device rd;
        for (auto& b : key)
            b = static_cast<uint8_t>(rd());
    }
}

int64_t AddrMan::Impl::Now() const
{
    return options.clock ? options.clock() : SystemNow();
}

int TriedBucket(const std::array<uint8_t, 32>& key, const Service& addr)
{
    std::vector<uint8_t> buf;
    consensus::Writer w{buf};
    w.WriteBytes(key);
    PutVector(w, AddrKey(addr));
    const uint64_t h1 = CheapHash(buf);
    buf.clear();
    w.WriteBytes(key);
    PutVector(w, NetGroup(addr.addr));
    consensus::WriteLE<uint64_t>(w, h1 % ADDRMAN_TRIED_BUCKETS_PER_GROUP);
    return static_cast<int>(CheapHash(buf) % ADDRMAN_TRIED_BUCKET_COUNT);
}

int NewBucket(const std::array<uint8_t, 32>& key, const Service& addr, const NetAddr& source)
{
    const std::vector<uint8_t> src_group = NetGroup(source);
    std::vector<uint8_t> buf;
    consensus::Writer w{buf};
    w.WriteBytes(key);
    PutVector(w, NetGroup(addr.addr));
    PutVector(w, src_group);
    const uint64_t h1 = CheapHash(buf);
    buf.clear();
    w.WriteBytes(key);
    PutVector(w, src_group);
    consensus::WriteLE<uint64_t>(w, h1 % ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP);
    return static_cast<int>(CheapHash(buf) % ADDRMAN_NEW_BUCKET_COUNT);
}

int BucketPosition(const std::array<uint8_t, 32>& key, bool is_new, int bucket, const Service& addr)
{
    std::vector<uint8_t> buf;
    consensus::Writer w{buf};
    w.WriteBytes(key);
    consensus::WriteLE<uint8_t>(w, is_new ? 'N' : 'K');
    consensus::WriteLE<int32_t>(w, bucket);
    PutVector(w, AddrKey(addr));
    return static_cast<int>(CheapHash(buf) % ADDRMAN_BUCKET_SIZE);
}

AddrRecord* AddrMan::Impl::Find(const Service& s, int* id_out)
{
    const auto it = map_addr.find(s);
    if (it == map_addr.end()) return nullptr;
    if (id_out) *id_out = it->second;
    return &map_info.at(it->second);
}

int AddrMan::Impl::Create(const AddrEntry& entry, const Service& service, const NetAddr& source)
{
    const int id = id_count++;
    AddrRecord& r = map_info[id];
    r.info.entry = entry;
    r.info.source = source;
    r.service = service;
    r.random_pos = random.size();
    map_addr[service] = id;
    random.push_back(id);
    ++n_new;
    return id;
}

void AddrMan::Impl::SwapRandom(size_t a, size_t b)
{
    if (a == b) return;
    std::swap(random[a], random[b]);
    map_info.at(random[a]).random_pos = a;
    map_info.at(random[b]).random_pos = b;
}

void AddrMan::Impl::Delete(int id)
{
    AddrRecord& r = map_info.at(id);
    SwapRandom(r.random_pos, random.size() - 1);
    random.pop_back();
    map_addr.erase(r.service);
    map_info.erase(id);
    --n_new;
}

void AddrMan::Impl::ClearNew(int bucket, int pos)
{
    int& slot = NewSlot(bucket, pos);
    if (slot == -1) return;
    const int id = slot;
    AddrRecord& r = map_info.at(id);
    --r.ref_count;
    slot = -1;
    if (r.ref_count == 0) Delete(id);
}

void AddrMan::Impl::MakeTried(AddrRecord& r, int id)
{
    // Drop every new-table reference; they all lie on the buckets this address can hash to.
    const int start = NewBucket(r, r.info.source);
    for (int n = 0; n < ADDRMAN_NEW_BUCKET_COUNT && r.ref_count > 0; ++n) {
        const int bucket = (start + n) % ADDRMAN_NEW_BUCKET_COUNT;
        const int pos = BucketPosition(r, true, bucket);
        if (NewSlot(bucket, pos) == id) {
            NewSlot(bucket, pos) = -1;
            --r.ref_count;
        }
    }
    --n_new;

    const int bucket = TriedBucket(r);
    const int pos = BucketPosition(r, false, bucket);
    if (TriedSlot(bucket, pos) != -1) {
        // Collision: the old tried entry goes back to the new table (Core without
        // test-before-evict).
        const int evict_id = TriedSlot(bucket, pos);
        AddrRecord& old = map_info.at(evict_id);
        old.info.in_tried = false;
        TriedSlot(bucket, pos) = -1;
        --n_tried;
        const int nb = NewBucket(old, old.info.source);
        const int np = BucketPosition(old, true, nb);
        ClearNew(nb, np);
        old.ref_count = 1;
        NewSlot(nb, np) = evict_id;
        ++n_new;
    }
    TriedSlot(bucket, pos) = id;
    ++n_tried;
    r.info.in_tried = true;
}

bool AddrMan::Impl::AddSingle(const AddrEntry& raw, const NetAddr& source, int64_t time_penalty)
{
    if (raw.addr.size() != AddressLength(raw.net)) return false;
    const Service service = ToService(raw);
    if (!IsRoutable(service.addr) && !options.accept_unroutable) return false;
    if (service.addr.bytes.empty() || NetGroup(service.addr).empty()) return false;
    const AddrEntry entry = ToAddrEntry(service, raw.services, raw.time);
    if (service.addr == source) time_penalty = 0; // a node announcing itself

    const int64_t now = Now();
    int id = -1;
    AddrRecord* r = Find(service, &id);
    if (r) {
        const int64_t update_interval = (now - int64_t{entry.time} < 24 * 3600) ? 3600 : 24 * 3600;
        if (int64_t{r->info.entry.time} < int64_t{entry.time} - update_interval - time_penalty)
            r->info.entry.time =
                static_cast<uint32_t>(std::max<int64_t>(0, int64_t{entry.time} - time_penalty));
        r->info.entry.services |= entry.services;
        if (entry.time <= r->info.entry.time) return false;
        if (r->info.in_tried) return false;
        if (r->ref_count == ADDRMAN_NEW_BUCKETS_PER_ADDRESS) return false;
        // Each extra reference is twice as hard to get as the one before.
        if (r->ref_count > 0 && RandRange(uint64_t{1} << r->ref_count) != 0) return false;
    } else {
        id = Create(entry, service, source);
        r = &map_info.at(id);
        r->info.entry.time =
            static_cast<uint32_t>(std::max<int64_t>(0, int64_t{entry.time} - time_penalty));
    }

    const int bucket = NewBucket(*r, source);
    const int pos = BucketPosition(*r, true, bucket);
    int& slot = NewSlot(bucket, pos);
    bool insert = slot == -1;
    if (slot != id) {
        if (!insert) {
            const AddrRecord& existing = map_info.at(slot);
            if (IsTerrible(existing.info, now) || (existing.ref_count > 1 && r->ref_count == 0))
                insert = true;
        }
        if (insert) {
            ClearNew(bucket, pos);
            ++r->ref_count;
            NewSlot(bucket, pos) = id;
        } else if (r->ref_count == 0) {
            Delete(id);
        }
    }
    return insert;
}

AddrMan::AddrMan(AddrManOptions options) : m_impl{std::make_unique<Impl>(std::move(options))} {}

AddrMan::~AddrMan() = default;

size_t AddrMan::Add(std::span<const AddrEntry> entries, const NetAddr& source, int64_t time_penalty)
{
    // A source of the wrong length would be saved and make the whole peers.dat unreadable.
    if (source.bytes.size() != AddressLength(source.net)) return 0;
    std::lock_guard lock{m_impl->mutex};
    size_t added = 0;
    for (const AddrEntry& e : entries)
        added += m_impl->AddSingle(e, source, time_penalty) ? 1 : 0;
    return added;
}

void AddrMan::Impl::GoodLocked(const Service& service, bool test_before_evict, int64_t now)
{
    last_good = now;
    int id = -1;
    AddrRecord* r = Find(service, &id);
    if (!r) return;
    r->info.last_success = now;
    r->info.last_try = now;
    r->info.attempts = 0;
    // The timestamp stays as gossiped so it does not reveal who we are connected to.
    if (r->info.in_tried || r->ref_count == 0) return;
    const int bucket = TriedBucket(*r);
    const int pos = BucketPosition(*r, false, bucket);
    if (test_before_evict && TriedSlot(bucket, pos) != -1) {
        // Keep the occupant until a feeler shows whether it is still alive.
        if (tried_collisions.size() < ADDRMAN_SET_TRIED_COLLISION_SIZE) tried_collisions.insert(id);
        return;
    }
    MakeTried(*r, id);
}

void AddrMan::Good(const Service& service)
{
    std::lock_guard lock{m_impl->mutex};
    m_impl->GoodLocked(service, /*test_before_evict=*/true, m_impl->Now());
}

void AddrMan::ResolveCollisions()
{
    std::lock_guard lock{m_impl->mutex};
    Impl& m = *m_impl;
    const int64_t now = m.Now();
    for (auto it = m.tried_collisions.begin(); it != m.tried_collisions.end();) {
        const int id = *it;
        bool erase = false;
        const auto found = m.map_info.find(id);
        if (found == m.map_info.end() || found->second.info.in_tried) {
            erase = true;
        } else {
            const AddrRecord& fresh = found->second;
            const Service fresh_service = fresh.service; // GoodLocked reshapes the tables
            const int bucket = m.TriedBucket(fresh);
            const int pos = m.BucketPosition(fresh, false, bucket);
            const int occupant = m.TriedSlot(bucket, pos);
            if (occupant == -1) {
                m.GoodLocked(fresh_service, false, now);
                erase = true;
            } else {
                const AddrInfo& old = m.map_info.at(occupant).info;
                if (now - old.last_success < ADDRMAN_REPLACEMENT) {
                    erase = true; // the occupant works: keep it
                } else if (now - old.last_try < ADDRMAN_REPLACEMENT) {
                    if (now - old.last_try > 60) { // its test had a minute and failed
                        m.GoodLocked(fresh_service, false, now);
                        erase = true;
                    }
                } else if (now - fresh.info.last_success > ADDRMAN_TEST_WINDOW) {
                    // Untested for too long: let the newcomer in.
                    m.GoodLocked(fresh_service, false, now);
                    erase = true;
                }
            }
        }
        it = erase ? m.tried_collisions.erase(it) : std::next(it);
    }
}

std::optional<AddrInfo> AddrMan::SelectTriedCollision()
{
    std::lock_guard lock{m_impl->mutex};
    Impl& m = *m_impl;
    if (m.tried_collisions.empty()) return std::nullopt;
    auto it = m.tried_collisions.begin();
    std::advance(it, static_cast<long>(m.RandRange(m.tried_collisions.size())));
    const auto found = m.map_info.find(*it);
    if (found == m.map_info.end()) {
        m.tried_collisions.erase(it);
        return std::nullopt;
    }
    const int bucket = m.TriedBucket(found->second);
    const int pos = m.BucketPosition(found->second, false, bucket);
    const int occupant = m.TriedSlot(bucket, pos);
    if (occupant == -1) return std::nullopt;
    return m.map_info.at(occupant).info;
}

void AddrMan::Attempt(const Service& service, bool count_failure)
{
    std::lock_guard lock{m_impl->mutex};
    AddrRecord* r = m_impl->Find(service);
    if (!r) return;
    const int64_t now = m_impl->Now();
    r->info.last_try = now;
    // At most one counted failure per success anywhere, so our own outage does not
    // make every address look dead.
    if (count_failure && r->last_count_attempt < m_impl->last_good) {
        r->last_count_attempt = now;
        ++r->info.attempts;
    }
}

void AddrMan::Connected(const Service& service)
{
    std::lock_guard lock{m_impl->mutex};
    AddrRecord* r = m_impl->Find(service);
    if (!r) return;
    const int64_t now = m_impl->Now();
    if (now - int64_t{r->info.entry.time} > 20 * 60)
        r->info.entry.time = static_cast<uint32_t>(now);
}

void AddrMan::SetServices(const Service& service, uint64_t services)
{
    std::lock_guard lock{m_impl->mutex};
    AddrRecord* r = m_impl->Find(service);
    if (r) r->info.entry.services = services;
}

std::optional<AddrInfo> AddrMan::Select(bool new_only, std::optional<Network> network) const
{
    std::lock_guard lock{m_impl->mutex};
    const Impl& m = *m_impl;
    size_t new_count = 0, tried_count = 0;
    for (const auto& [id, r] : m.map_info) {
        if (network && r.info.entry.net != *network) continue;
        if (r.info.in_tried)
            ++tried_count;
        else if (r.ref_count > 0)
            ++new_count;
    }
    if (new_only && new_count == 0) return std::nullopt;
    if (new_count + tried_count == 0) return std::nullopt;

    const bool search_tried =
        !new_only && tried_count > 0 && (new_count == 0 || m.RandRange(2) == 0);
    const int bucket_count = search_tried ? ADDRMAN_TRIED_BUCKET_COUNT : ADDRMAN_NEW_BUCKET_COUNT;
    const std::vector<int>& table = search_tried ? m.tried_table : m.new_table;
    const int64_t now = m.Now();
    double chance_factor = 1.0;
    while (true) {
        const int bucket = static_cast<int>(m.RandRange(static_cast<uint64_t>(bucket_count)));
        const int start = static_cast<int>(m.RandRange(ADDRMAN_BUCKET_SIZE));
        int found = -1;
        for (int i = 0; i < ADDRMAN_BUCKET_SIZE; ++i) {
            const int id = table[bucket * ADDRMAN_BUCKET_SIZE + (start + i) % ADDRMAN_BUCKET_SIZE];
            if (id == -1) continue;
            if (network && m.map_info.at(id).info.entry.net != *network) continue;
            found = id;
            break;
        }
        if (found == -1) continue;
        const AddrInfo& info = m.map_info.at(found).info;
        // Accept with probability chance * factor; the factor grows so the loop ends.
        const double draw = static_cast<double>(m.rng() >> 34); // 30 random bits
        if (draw < chance_factor * GetChance(info, now) * static_cast<double>(1 << 30)) return info;
        chance_factor *= 1.2;
    }
}

std::vector<AddrEntry> AddrMan::GetAddr(size_t max_addresses, size_t max_pct,
                                        std::optional<Network> network) const
{
    std::lock_guard lock{m_impl->mutex};
    const Impl& m = *m_impl;
    size_t wanted = m.random.size();
    if (max_pct != 0) wanted = max_pct * wanted / 100;
    if (max_addresses != 0) wanted = std::min(wanted, max_addresses);
    std::vector<int> order = m.random;
    const int64_t now = m.Now();
    std::vector<AddrEntry> out;
    for (size_t n = 0; n < order.size() && out.size() < wanted; ++n) {
        const size_t pick = n + static_cast<size_t>(m.RandRange(order.size() - n));
        std::swap(order[n], order[pick]);
        const AddrInfo& info = m.map_info.at(order[n]).info;
        if (network && info.entry.net != *network) continue;
        if (IsTerrible(info, now)) continue;
        out.push_back(info.entry);
    }
    return out;
}

size_t AddrMan::Size(std::optional<Network> network, std::optional<bool> in_new) const
{
    std::lock_guard lock{m_impl->mutex};
    size_t n = 0;
    for (const auto& [id, r] : m_impl->map_info) {
        if (network && r.info.entry.net != *network) continue;
        if (in_new && *in_new == r.info.in_tried) continue;
        ++n;
    }
    return n;
}

std::optional<AddrInfo> AddrMan::Find(const Service& service) const
{
    std::lock_guard lock{m_impl->mutex};
    const auto it = m_impl->map_addr.find(service);
    if (it == m_impl->map_addr.end()) return std::nullopt;
    return m_impl->map_info.at(it->second).info;
}

} // namespace net
