// A 256-bin luma histogram over the band, gathered per workgroup in shared memory and added to
// `hist` once per bin. The importing shader declares `params` (with a `frame`), `src` and
// `hist: array<atomic<u32>, 256>`.

var<workgroup> local_hist: array<atomic<u32>, 256>;

fn add_to_histogram(id: vec3<u32>, lid: u32) {
    atomicStore(&local_hist[lid], 0u);
    workgroupBarrier();
    let f = params.frame;
    if (id.x < f.cols && id.y < f.rows) {
        atomicAdd(&local_hist[luma(src[src_at(f, f.x0 + id.x, f.y0 + id.y)])], 1u);
    }
    workgroupBarrier();
    let n = atomicLoad(&local_hist[lid]);
    if (n > 0u) {
        atomicAdd(&hist[lid], n);
    }
}
