# `cmake --install` and the Debian packages (docs/farm.md, "Deploying"):
#   rowchain         rowchaind, the rowchain CLI, rowchaind.service, /etc/rowchain/rowchaind.toml
#   rowchain-worker  rowchain-worker, rowchain-worker.service, /etc/rowchain/rowchain-worker.env
# Both make the rowchain system user and leave their settings mode 600 (postinst).
# `cpack -G DEB` in the build directory writes both .deb files.
include(GNUInstallDirs)
set(ROWCHAIN_DEPLOY ${PROJECT_SOURCE_DIR}/deploy)

install(TARGETS rowchaind rowchain RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT rowchain)
install(FILES ${ROWCHAIN_DEPLOY}/systemd/rowchaind.service DESTINATION lib/systemd/system COMPONENT rowchain)
install(FILES ${ROWCHAIN_DEPLOY}/config/rowchaind.toml DESTINATION /etc/rowchain
        PERMISSIONS OWNER_READ OWNER_WRITE COMPONENT rowchain)
install(FILES ${ROWCHAIN_DEPLOY}/prometheus/rowchain-rules.yml ${ROWCHAIN_DEPLOY}/grafana/rowchain.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/rowchain COMPONENT rowchain)

install(TARGETS rowchain-worker RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT rowchain-worker)
install(FILES ${ROWCHAIN_DEPLOY}/systemd/rowchain-worker.service DESTINATION lib/systemd/system
        COMPONENT rowchain-worker)
install(FILES ${ROWCHAIN_DEPLOY}/config/rowchain-worker.env DESTINATION /etc/rowchain
        PERMISSIONS OWNER_READ OWNER_WRITE COMPONENT rowchain-worker)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME rowchain)
set(CPACK_PACKAGE_VENDOR "rowchain")
set(CPACK_PACKAGE_CONTACT "rowchain maintainers <maintainers@rowchain.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "proof-of-work ledger for MySQL")
set(CPACK_COMPONENTS_ALL rowchain rowchain-worker)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)  # debug info stays in the build tree
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_ROWCHAIN_PACKAGE_NAME rowchain)
set(CPACK_DEBIAN_ROWCHAIN_DESCRIPTION "rowchain node and CLI: a proof-of-work ledger for MySQL")
set(CPACK_DEBIAN_ROWCHAIN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_ROWCHAIN_PACKAGE_CONTROL_EXTRA
    "${ROWCHAIN_DEPLOY}/debian/rowchain/postinst;${ROWCHAIN_DEPLOY}/debian/rowchain/conffiles")
set(CPACK_DEBIAN_ROWCHAIN-WORKER_PACKAGE_NAME rowchain-worker)
set(CPACK_DEBIAN_ROWCHAIN-WORKER_DESCRIPTION "rowchain mining worker: hashes for a rowchain node over gRPC")
set(CPACK_DEBIAN_ROWCHAIN-WORKER_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_ROWCHAIN-WORKER_PACKAGE_CONTROL_EXTRA
    "${ROWCHAIN_DEPLOY}/debian/rowchain-worker/postinst;${ROWCHAIN_DEPLOY}/debian/rowchain-worker/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
