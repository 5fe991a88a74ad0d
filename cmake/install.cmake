# `cmake --install BUILD --prefix P`: the headers (the C API, the standard
# wasm.h it extends, the C++ API), libhalter (shared and static), a
# pkg-config file and a CMake package (find_package(halter): halter::halter).
include(CMakePackageConfigHelpers)

install(FILES ${CMAKE_SOURCE_DIR}/include/halter_c.h ${HALTER_WASM_C_API_INCLUDE}/wasm.h
        DESTINATION include)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/halter DESTINATION include)
install(TARGETS halter_shared EXPORT halterTargets LIBRARY DESTINATION lib)
install(TARGETS halter_static ARCHIVE DESTINATION lib)
install(EXPORT halterTargets NAMESPACE halter:: DESTINATION lib/cmake/halter)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/halterConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/halterConfig.cmake
                              INSTALL_DESTINATION lib/cmake/halter)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/halterConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/halterConfig.cmake ${CMAKE_BINARY_DIR}/halterConfigVersion.cmake
        DESTINATION lib/cmake/halter)

configure_file(${CMAKE_CURRENT_LIST_DIR}/halter.pc.in ${CMAKE_BINARY_DIR}/halter.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/halter.pc DESTINATION lib/pkgconfig)
