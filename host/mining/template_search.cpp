#include "mining/template_search.h"

namespace rowchain::mining {

StatusOr<TemplateSearchResult> MineTemplate(Miner& miner, const consensus::BlockTemplate& block,
                                            const consensus::U256& target,
                                            uint64_t first_extra_nonce, uint64_t max_extra_nonces,
                                            std::stop_token stop) {
  TemplateSearchResult out;
  for (uint64_t i = 0; i < max_extra_nonces && !stop.stop_requested(); ++i) {
    const uint64_t extra_nonce = first_extra_nonce + i;
    SearchRequest request{block.HeaderForExtraNonce(extra_nonce), target, 0, kNonceSpace};
    StatusOr<SearchResult> r = miner.Search(request, stop);
    if (!r.ok()) return r.status();
    out.hashes += r->hashes;
    if (r->nonce) {
      SealedHeader sealed{request.header, extra_nonce, r->hash};
      sealed.header.nonce = *r->nonce;
      out.sealed = sealed;
      break;
    }
  }
  return out;
}

}  // namespace rowchain::mining
