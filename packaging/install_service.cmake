# Runs at install time, from the install rules in CMakeLists.txt: the unit
# and the default config, placed for the prefix this install uses. An
# existing config is kept (the package marks it a conffile; dpkg asks).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr" OR CMAKE_INSTALL_PREFIX STREQUAL "/")
  set(etc_dir /etc)
else()
  set(etc_dir ${CMAKE_INSTALL_PREFIX}/etc)
endif()
string(REGEX REPLACE "/+$" "" prefix "${CMAKE_INSTALL_PREFIX}")
set(ROOMKEY_BINARY ${prefix}/${ROOMKEY_BINDIR}/roomkey)
set(ROOMKEY_CONFIG ${etc_dir}/roomkey/roomkey.toml)
set(ROOMKEY_DOCDIR ${prefix}/${ROOMKEY_DOCDIR})
configure_file(${ROOMKEY_PACKAGING_DIR}/roomkey.service.in ${ROOMKEY_WORK_DIR}/roomkey.service @ONLY)
file(INSTALL ${ROOMKEY_WORK_DIR}/roomkey.service DESTINATION ${prefix}/lib/systemd/system
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

if(EXISTS "$ENV{DESTDIR}${ROOMKEY_CONFIG}")
  message(STATUS "Keeping: $ENV{DESTDIR}${ROOMKEY_CONFIG}")
else()
  file(INSTALL ${ROOMKEY_PACKAGING_DIR}/roomkey.toml DESTINATION ${etc_dir}/roomkey
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()
