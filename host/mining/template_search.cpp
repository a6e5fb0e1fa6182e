#include "mining/template_search.h"

namespace rowchain::mining {

StatusOr<TemplateSearchResult> MineTemplate(Miner& miner, const consensus::BlockTemplate& block,
                                            const consensus::U256& target,
                                            const TemplateSearchOptions& options,
                                            std::stop_token stop) {
  if (options.nonces_per_extra_nonce == 0 || options.nonces_per_extra_nonce > kNonceSpace) {
    return InvalidArgumentError("nonces per extra-nonce must be in [1, 2^32]");
  }
  TemplateSearchResult out;
  for (uint64_t i = 0; i < options.max_extra_nonces && !stop.stop_requested(); ++i) {
    const uint64_t extra_nonce = options.first_extra_nonce + i;
    SearchRequest request{block.HeaderForExtraNonce(extra_nonce), target, 0,
                          options.nonces_per_extra_nonce};
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
